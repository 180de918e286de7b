import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { freePort } from '../helpers/ports.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { waitFor } from '../helpers/wait-for.js';
import { h2Request, h2Session, handshake, request1 } from '../entrypoints/clients.js';

/**
 * Issue 4 end to end: routers that add `tls.certResolver` get certificates from a real ACME CA (Pebble) through
 * the real `berth` process, for each challenge type, served on HTTPS with HTTP/2, behind an HTTP entrypoint that
 * redirects to HTTPS. Pebble validates HTTP-01 on its httpPort and TLS-ALPN-01 on its tlsPort: Berth's `web` and
 * `websecure` entrypoints listen there.
 */
let pebble: Pebble;
let backend: Backend;
let berth: BerthProcess;
let dir: string;
let api: number;
let issuerRoot: string;

const orders = (): number => pebble.log().split('\n').filter((line) => line.includes('POST /order-plz')).length;

const router = (host: string, tls: Record<string, unknown>): Record<string, unknown> => ({ rule: `Host(\`${host}\`)`, service: 'backend', entryPoints: ['websecure'], tls });

function dynamic(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    http: {
      routers: {
        http01: router('http01.test', { certResolver: 'le' }),
        alpn: router('alpn.test', { certResolver: 'alpn' }),
        wild: router('app.wild.test', { certResolver: 'dns', domains: [{ main: '*.wild.test', sans: ['wild.test'] }] }),
        blocked: router('blocked.test', { certResolver: 'le' }),
        typo: router('typo.test', { certResolver: 'lee' }),
        ...extra,
      },
      services: { backend: { loadBalancer: { servers: [{ url: backend.url }] } } },
    },
  }, null, 2);
}

function config(): Record<string, unknown> {
  const acme = { email: 'ops@berth.test', caServer: pebble.directory, storage: 'acme.json', keyType: 'EC256', caCertificates: ['pebble-listener.pem'] };
  return {
    entryPoints: {
      web: { address: `127.0.0.1:${pebble.httpPort}`, http: { redirections: { entryPoint: { to: 'websecure' } } } },
      websecure: { address: `127.0.0.1:${pebble.tlsPort}` },
      traefik: { address: `127.0.0.1:${api}` },
    },
    api: { insecure: true },
    providers: { file: { directory: 'dynamic', watch: true } },
    certificatesResolvers: {
      le: { acme: { ...acme, httpChallenge: { entryPoint: 'web' } } },
      alpn: { acme: { ...acme, tlsChallenge: {} } },
      dns: { acme: { ...acme, dnsChallenge: { provider: 'exec', resolvers: [pebble.dnsServer] } } },
    },
  };
}

/** The exec DNS provider's script (lego's EXEC_PATH contract): `present|cleanup <fqdn> <value>` to challtestsrv. */
const DNS_HOOK = `#!${process.execPath}
const [action, fqdn, value] = process.argv.slice(2);
const res = await fetch(process.env.CHALLTESTSRV + (action === 'present' ? '/set-txt' : '/clear-txt'), { method: 'POST', body: JSON.stringify({ host: fqdn, value }) });
if (!res.ok) { console.error('challtestsrv answered', res.status); process.exit(1); }
`;

async function start(): Promise<BerthProcess> {
  return startBerth({
    dir,
    config: config(),
    env: { EXEC_PATH: join(dir, 'dns-hook.mjs'), EXEC_POLLING_INTERVAL: '1', CHALLTESTSRV: pebble.challtestsrv, BERTHTEST_ACME_POLL_MS: '250' },
  });
}

/** A TLS handshake to websecure that verifies the served certificate against Pebble's root. */
const verified = (serverName: string) => handshake(pebble.tlsPort, { servername: serverName, ca: issuerRoot });

before(async () => {
  pebble = await startPebble({ domainBlocklist: ['blocked.test'] });
  issuerRoot = await pebble.issuerRoot();
  backend = await startBackend('acme-backend');
  api = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'berth-acme-e2e-'));
  await writeFile(join(dir, 'pebble-listener.pem'), pebble.listenerCaPem);
  await writeFile(join(dir, 'dns-hook.mjs'), DNS_HOOK);
  await chmod(join(dir, 'dns-hook.mjs'), 0o755);
  await mkdir(join(dir, 'dynamic'));
  await writeFile(join(dir, 'dynamic', 'routers.yml'), dynamic());
  berth = await start();
});

after(async () => {
  await berth?.stop();
  if (process.env['DUMP_BERTH'] !== undefined) await writeFile(process.env['DUMP_BERTH'], berth.logs());
  await backend?.close();
  await pebble?.close();
});

test('HTTP-01 on an entrypoint that redirects to HTTPS: certificate issued, verified, served with HTTP/2', async () => {
  await waitFor(async () => (await verified('http01.test')).ok, 60_000, 'a Pebble certificate for http01.test');
  const session = await h2Session(pebble.tlsPort, { servername: 'http01.test', ca: issuerRoot });
  try {
    assert.equal(session.alpnProtocol, 'h2');
    const reply = await h2Request(session, { authority: 'http01.test', path: '/hello' });
    assert.deepEqual([reply.status, JSON.parse(reply.body).name], [200, 'acme-backend']);
  } finally {
    session.close();
  }
  // The challenge router outranks the redirection router; everything else on `web` is redirected.
  const unknownToken = await request1(pebble.httpPort, { host: 'http01.test', path: '/.well-known/acme-challenge/unknown' });
  assert.equal(unknownToken.status, 404);
  const redirected = await request1(pebble.httpPort, { host: 'http01.test', path: '/page' });
  assert.deepEqual([redirected.status, redirected.headers['location']], [301, `https://http01.test:${pebble.tlsPort}/page`]);
  assert.equal((await request1(pebble.httpPort, { host: 'http01.test', method: 'POST', body: 'x' })).status, 308);
});

test('TLS-ALPN-01 answered in the handshake on the HTTPS entrypoint', async () => {
  await waitFor(async () => (await verified('alpn.test')).ok, 60_000, 'a Pebble certificate for alpn.test');
  const reply = await request1(pebble.tlsPort, { tls: true, servername: 'alpn.test', ca: issuerRoot, host: 'alpn.test' });
  assert.equal(reply.status, 200);
});

test('DNS-01 through the exec provider and challtestsrv: a wildcard certificate with its apex', async () => {
  await waitFor(async () => (await verified('app.wild.test')).ok, 60_000, 'a Pebble wildcard certificate');
  assert.equal((await verified('anything.wild.test')).ok, true);
  assert.equal((await verified('wild.test')).ok, true);
  const stored = JSON.parse(await readFile(join(dir, 'acme.json'), 'utf8'));
  assert.deepEqual(stored.dns.Certificates.map((c: { domain: unknown }) => c.domain), [{ main: '*.wild.test', sans: ['wild.test'] }]);
});

test('a CA that refuses an order: the failure shows on the router in the API, and configuration changes do not retry it', async () => {
  const failure = await berth.waitForLog(/^Unable to obtain ACME certificate/, { fields: { domains: ['blocked.test'] } });
  assert.equal(failure['problem'], 'urn:ietf:params:acme:error:rejectedIdentifier');
  const routerView = async (name: string) => JSON.parse((await request1(api, { path: `/api/http/routers/${name}` })).body) as { status: string; issues?: Array<{ code: string; message: string; severity: string }> };
  const blocked = await routerView('blocked@file');
  assert.equal(blocked.status, 'warning', 'the router keeps serving, with the default certificate');
  assert.equal(blocked.issues?.[0]?.code, 'BERTH_ERR_ACME_ORDER');
  assert.match(blocked.issues?.[0]?.message ?? '', /could not obtain a certificate for blocked\.test: urn:ietf:params:acme:error:rejectedIdentifier: .*1 failed attempt, next attempt at 20\d\d-/);
  const typo = await routerView('typo@file');
  assert.equal(typo.issues?.[0]?.code, 'BERTH_ERR_ACME_RESOLVER_NOT_FOUND');
  assert.match(typo.issues?.[0]?.message ?? '', /nonexistent certificate resolver "lee" \(did you mean "le"\?\)/);

  // Wait for every other order, then change the configuration a few times: no new order may follow.
  await waitFor(async () => (await verified('http01.test')).ok && (await verified('alpn.test')).ok && (await verified('wild.test')).ok, 60_000, 'the other certificates');
  const before = orders();
  for (let i = 1; i <= 3; i++) {
    const applied = berth.entries().filter((e) => e['msg'] === 'configuration applied').length;
    await berth.write('dynamic/routers.yml', dynamic({ [`touch${i}`]: { rule: `Host(\`touch${i}.test\`)`, service: 'backend', entryPoints: ['websecure'] } }));
    await berth.waitForLog(/^configuration applied$/, { skip: applied });
  }
  await waitFor(async () => (await request1(api, { path: '/api/http/routers/touch3@file' })).status === 200, 10_000, 'the last change applied');
  assert.equal(orders(), before, 'no order after configuration changes');
  const attempts = berth.entries().filter((e) => String(e['msg']).startsWith('Unable to obtain ACME certificate') && JSON.stringify(e['domains']) === '["blocked.test"]');
  assert.equal(attempts.length, 1, 'one attempt, then backoff');
});

test('a restart with the same acme.json serves the stored certificates and orders only what is new', async () => {
  const served = await Promise.all(['http01.test', 'alpn.test', 'x.wild.test'].map(async (name) => (await verified(name)).fingerprint));
  await berth.stop();
  const before = orders();
  berth = await start();
  const again = await Promise.all(['http01.test', 'alpn.test', 'x.wild.test'].map(async (name) => (await verified(name)).fingerprint));
  assert.deepEqual(again, served, 'the stored certificates are served as soon as Berth is up');
  // A new router now: its order is the only one, so nothing was ordered again for the stored names.
  await berth.write('dynamic/routers.yml', dynamic({ late: router('late.test', { certResolver: 'le' }) }));
  await waitFor(async () => (await verified('late.test')).ok, 60_000, 'a certificate for late.test');
  assert.equal(orders(), before + 1);
  assert.equal(berth.entries().filter((e) => String(e['msg']).startsWith('Unable to obtain ACME certificate')).length, 0, 'the refused name waits out its stored backoff');
});
