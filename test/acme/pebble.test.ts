import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTlsServer } from 'node:tls';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { readClientHello } from '../../src/tls/client-hello.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcmeResolverSettings } from '../../src/config/static/certificate-resolvers.js';
import { createAcmeResolver, type AcmeResolver, type AcmeResolverOptions } from '../../src/acme/resolver.js';
import { createAcmeProvider, type AcmeProvider } from '../../src/acme/provider.js';
import { forgetOpenedStorage, BERTH_KEY } from '../../src/acme/storage.js';
import { HTTP_CHALLENGE_PREFIX } from '../../src/acme/challenges/http-01.js';
import type { ProviderMessage } from '../../src/providers/provider.js';
import { createTlsManager } from '../../src/tls/tls-manager.js';
import { generateDefaultCertificate } from '../../src/tls/default-certificate.js';
import { silentLogger } from '../../src/observability/logger.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { waitFor } from '../helpers/wait-for.js';

let pebble: Pebble;
let dir: string;
let httpServer: HttpServer;
let tlsServer: NetServer;
let issuerRoot: string;
const active = new Set<AcmeResolver>();
/** Distinct challenge tokens asked per host: one per order (Pebble may fetch a token several times). */
const challengeTokens = new Map<string, Set<string>>();

before(async () => {
  pebble = await startPebble();
  issuerRoot = await pebble.issuerRoot();
  dir = await mkdtemp(join(tmpdir(), 'berth-acme-'));
  // What the HTTP entrypoint will do: answer /.well-known/acme-challenge/<token> from the resolvers' stores.
  httpServer = createHttpServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const token = (req.url ?? '').startsWith(HTTP_CHALLENGE_PREFIX) ? (req.url ?? '').slice(HTTP_CHALLENGE_PREFIX.length) : '';
    challengeTokens.set(host, (challengeTokens.get(host) ?? new Set()).add(token));
    const answer = host === 'refused.test' ? undefined : [...active].map((r) => r.httpChallenges.get(token, host)).find((a) => a !== undefined);
    res.writeHead(answer === undefined ? 404 : 200).end(answer ?? 'not found');
  });
  await new Promise<void>((resolve) => httpServer.listen(pebble.httpPort, '127.0.0.1', resolve));
  // What the HTTPS entrypoint will do: a TLS server whose TLS manager answers acme-tls/1 with the challenge certificate.
  const manager = await createTlsManager({
    readFile: (path) => readFile(path, 'utf8'),
    generatedDefault: await generateDefaultCertificate(),
    challengeCertificateFor: (name) => [...active].map((r) => r.tlsChallenges.challengeCertificateFor(name)).find((c) => c !== undefined),
  });
  // It reads the ClientHello first and hands the connection to accept(), the integration HTTPS entrypoints use.
  tlsServer = createNetServer(async (raw) => {
    raw.on('error', () => undefined);
    const hello = await readClientHello(raw, 5000);
    if (hello === undefined || hello === 'not-tls' || manager.accept(raw, hello, (socket) => socket.end()) !== undefined) raw.destroy();
  });
  await new Promise<void>((resolve) => tlsServer.listen(pebble.tlsPort, '127.0.0.1', resolve));
});

after(async () => {
  for (const resolver of active) resolver.close();
  await new Promise((resolve) => httpServer.close(resolve));
  await new Promise((resolve) => tlsServer.close(resolve));
  await pebble.close();
});

function settings(storage: string, overrides: Record<string, unknown> = {}): AcmeResolverSettings {
  return {
    email: 'ops@berth.test', caServer: pebble.directory, storage, keyType: 'EC256', certificatesDuration: 2160,
    disableCommonName: false, clientTimeout: 30_000, clientResponseHeaderTimeout: 10_000, certificateTimeout: 30_000,
    caCertificates: [pebble.listenerCaPem], caSystemCertPool: false, httpChallenge: { entryPoint: 'web', delay: 0 },
    ...overrides,
  } as AcmeResolverSettings;
}

async function start(name: string, resolverSettings: AcmeResolverSettings, extra: Partial<AcmeResolverOptions> = {}): Promise<{ provider: AcmeProvider; messages: ProviderMessage[]; controller: AbortController }> {
  const resolver = createAcmeResolver({ name, settings: resolverSettings, logger: silentLogger(), pollIntervalMs: 100, ...extra });
  active.add(resolver);
  const provider = createAcmeProvider(resolver);
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  await provider.start((message) => messages.push(message), controller.signal);
  return { provider, messages, controller };
}

function lastCertificates(messages: readonly ProviderMessage[]): Array<{ certFile: string; keyFile: string }> {
  return [...(messages.at(-1)?.config?.tls?.certificates ?? [])];
}

/** A real TLS client verifying the certificate against Pebble's issuing root. */
async function verifyWithPebbleRoot(cert: { certFile: string; keyFile: string }, serverName: string): Promise<boolean> {
  const server = createTlsServer({ cert: cert.certFile, key: cert.keyFile }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await new Promise<boolean>((resolve, reject) => {
      const socket = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1', servername: serverName, ca: issuerRoot }, () => {
        resolve(socket.authorized);
        socket.end();
      });
      socket.on('error', reject);
    });
  } finally {
    server.close();
  }
}

const router = (name: string, resolver: string, hosts: string[], domains?: Array<{ main: string; sans?: string[] }>) => ({ name, certResolver: resolver, hosts, domains });

test('HTTP-01: a certificate is issued, published as inline PEM, verifies against Pebble\'s root, stored as Traefik does', async () => {
  const storage = join(dir, 'http.json');
  const { provider, messages, controller } = await start('le', settings(storage));
  assert.deepEqual(lastCertificates(messages), [], 'publishes (nothing yet) before any network call');
  provider.onSnapshot([router('web@docker', 'le', ['web.test', 'www.web.test'])], () => false);
  await waitFor(() => lastCertificates(messages).length === 1, 60_000, 'certificate');
  const [cert] = lastCertificates(messages);
  assert.ok(cert);
  assert.equal(await verifyWithPebbleRoot(cert, 'www.web.test'), true);
  assert.match(new X509Certificate(cert.certFile).subjectAltName ?? '', /DNS:web.test, DNS:www.web.test/);

  const file = JSON.parse(await readFile(storage, 'utf8'));
  assert.equal((await stat(storage)).mode & 0o777, 0o600);
  assert.equal(file.le.Account.Email, 'ops@berth.test');
  assert.match(file.le.Account.Registration.uri, /^https:\/\/127\.0\.0\.1:\d+\//);
  assert.equal(createPrivateKey({ key: Buffer.from(file.le.Account.PrivateKey, 'base64'), format: 'der', type: 'pkcs1' }).asymmetricKeyDetails?.modulusLength, 4096);
  assert.deepEqual(file.le.Certificates[0].domain, { main: 'web.test', sans: ['www.web.test'] });
  assert.equal(file.le.Certificates[0].Store, 'default');
  assert.equal(Buffer.from(file.le.Certificates[0].certificate, 'base64').toString(), cert.certFile);
  controller.abort();
});

test('external account binding: the account is registered with the CA\'s kid and HMAC key', async () => {
  const storage = join(dir, 'eab.json');
  const { provider, messages, controller } = await start('eab', settings(storage, { eab: pebble.eab }));
  provider.onSnapshot([router('eab@docker', 'eab', ['eab.test'])], () => false);
  await provider.resolver.idle();
  assert.deepEqual(provider.resolver.status(), []);
  assert.equal(lastCertificates(messages).length, 1);
  controller.abort();

  const { provider: wrong, controller: wrongController } = await start('eab-wrong', settings(join(dir, 'eab-wrong.json'), { eab: { kid: pebble.eab.kid, hmacEncoded: Buffer.alloc(32, 1).toString('base64url') } }));
  wrong.onSnapshot([router('eab@docker', 'eab-wrong', ['eab-wrong.test'])], () => false);
  await wrong.resolver.idle();
  assert.equal(wrong.resolver.status()[0]?.state, 'failed', 'a wrong HMAC key is refused by the CA');
  assert.match(wrong.resolver.status()[0]?.error?.detail ?? '', /external account binding/);
  assert.match(wrong.resolver.status()[0]?.error?.type ?? '', /^urn:ietf:params:acme:error:/);
  wrongController.abort();
});

test('a restart with the same acme.json serves the stored certificate at once and orders nothing', async () => {
  forgetOpenedStorage();
  const storage = join(dir, 'http.json');
  const before = await readFile(storage, 'utf8');
  // An unreachable CA proves that nothing needs the network.
  const { provider, messages, controller } = await start('le', settings(storage, { caServer: 'https://127.0.0.1:9/dir' }));
  assert.equal(lastCertificates(messages).length, 1);
  provider.onSnapshot([router('web@docker', 'le', ['web.test', 'www.web.test'])], (name) => name.endsWith('web.test'));
  assert.deepEqual(provider.resolver.status(), []);
  await provider.resolver.idle();
  assert.equal(await readFile(storage, 'utf8'), before);
  controller.abort();
});

test('TLS-ALPN-01 through the TLS manager\'s challenge hook', async () => {
  const { provider, messages, controller } = await start('alpn', settings(join(dir, 'alpn.json'), { httpChallenge: undefined, tlsChallenge: { delay: 0 } }));
  provider.onSnapshot([router('alpn@docker', 'alpn', ['alpn.test'])], () => false);
  await provider.resolver.idle();
  assert.deepEqual(provider.resolver.status(), []);
  const [cert] = lastCertificates(messages);
  assert.ok(cert);
  assert.equal(await verifyWithPebbleRoot(cert, 'alpn.test'), true);
  assert.equal(provider.resolver.tlsChallenges.entries().length, 0, 'challenge certificates are removed afterwards');
  controller.abort();
});

test('DNS-01 with the exec provider writing to challtestsrv, including a wildcard', async () => {
  const script = join(dir, 'dns-hook.mjs');
  await writeFile(script, `#!${process.execPath}
const [action, fqdn, value] = process.argv.slice(2);
const path = action === 'present' ? '/set-txt' : '/clear-txt';
const res = await fetch(process.env.CHALLTESTSRV + path, { method: 'POST', body: JSON.stringify({ host: fqdn, value }) });
if (!res.ok) { console.error('challtestsrv answered', res.status); process.exit(1); }
`);
  await chmod(script, 0o755);
  const { provider, messages, controller } = await start('dns', settings(join(dir, 'dns.json'), {
    httpChallenge: undefined,
    dnsChallenge: { provider: 'exec', resolvers: [pebble.dnsServer], propagation: { delayBeforeChecks: 0, disableChecks: false, disableANSChecks: false, requireAllRNS: false } },
  }), { env: { EXEC_PATH: script, CHALLTESTSRV: pebble.challtestsrv, EXEC_POLLING_INTERVAL: '1' } });
  provider.onSnapshot([router('wild@file', 'dns', ['app.wild.test'], [{ main: '*.wild.test', sans: ['wild.test'] }])], () => false);
  await provider.resolver.idle();
  assert.deepEqual(provider.resolver.status(), []);
  const [cert] = lastCertificates(messages);
  assert.ok(cert);
  assert.equal(await verifyWithPebbleRoot(cert, 'anything.wild.test'), true);
  assert.equal(await verifyWithPebbleRoot(cert, 'wild.test'), true);
  controller.abort();
});

test('renewal replaces a certificate inside its window and republishes it', async () => {
  let offset = 0;
  const { provider, messages, controller } = await start('renew', settings(join(dir, 'renew.json')), { now: () => Date.now() + offset });
  provider.onSnapshot([router('r@docker', 'renew', ['renew.test'])], () => false);
  await provider.resolver.idle();
  const first = lastCertificates(messages)[0];
  assert.ok(first);
  provider.resolver.checkRenewals();
  await provider.resolver.idle();
  assert.equal(lastCertificates(messages)[0]?.certFile, first.certFile, 'outside the window nothing happens');
  const notAfter = new Date(new X509Certificate(first.certFile).validTo).getTime();
  offset = notAfter - 10 * 86_400_000 - Date.now(); // 10 days left: inside the 30-day window of certificatesDuration 2160
  provider.resolver.checkRenewals();
  await provider.resolver.idle();
  const renewed = lastCertificates(messages);
  assert.equal(renewed.length, 1, 'the renewed certificate replaces the old one');
  assert.notEqual(renewed[0]?.certFile, first.certFile);
  assert.equal(await verifyWithPebbleRoot(renewed[0] as { certFile: string; keyFile: string }, 'renew.test'), true);
  controller.abort();
});

test('a refused order backs off: few orders over many snapshots, the backoff survives a restart', async () => {
  const storage = join(dir, 'refused.json');
  const { provider, controller } = await start('refused', settings(storage));
  const snapshot = [router('bad@docker', 'refused', ['refused.test'])];
  provider.onSnapshot(snapshot, () => false);
  await provider.resolver.idle();
  for (let i = 0; i < 5; i++) {
    provider.onSnapshot(snapshot, () => false);
    await provider.resolver.idle();
  }
  assert.equal(challengeTokens.get('refused.test')?.size, 1, 'one order, not one per snapshot');
  const [status] = provider.resolver.status();
  assert.equal(status?.state, 'failed');
  assert.equal(status?.challenge, 'http-01');
  assert.equal(status?.failures, 1);
  assert.equal(status?.error?.type, 'urn:ietf:params:acme:error:unauthorized');
  assert.match(status?.error?.detail ?? '', /404/);
  assert.ok(Date.parse(status?.nextAttempt ?? '') > Date.now() + 50_000);
  controller.abort();

  const file = JSON.parse(await readFile(storage, 'utf8'));
  assert.equal(file[BERTH_KEY].backoff.refused['refused.test'].failures, 1);
  forgetOpenedStorage();
  const again = await start('refused', settings(storage));
  again.provider.onSnapshot(snapshot, () => false);
  await again.provider.resolver.idle();
  assert.equal(challengeTokens.get('refused.test')?.size, 1, 'the restarted resolver waits too');
  again.controller.abort();
});

test('a wildcard without DNS-01 is refused before any request to the CA', async () => {
  const { provider, controller } = await start('nowild', settings(join(dir, 'nowild.json')));
  provider.onSnapshot([router('w@docker', 'nowild', [], [{ main: '*.nowild.test' }])], () => false);
  await provider.resolver.idle();
  await waitFor(() => provider.resolver.status().length === 1, 2000, 'status');
  assert.match(provider.resolver.status()[0]?.error?.detail ?? '', /wildcard.*DNS-01/);
  controller.abort();
});
