import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { waitFor } from '../helpers/wait-for.js';
import { handshake } from '../entrypoints/clients.js';

/**
 * Renewal through the real process, without faking time: Pebble issues certificates valid for 10 minutes and
 * the resolver's `certificatesDuration: 1` (hours) renews when fewer than 20 minutes remain (Traefik's table), so
 * every certificate is inside its renewal window from the start. Only the schedule's period is shortened, with
 * the test-only BERTHTEST_ACME_RENEWAL_CHECK_MS (src/acme/from-static.ts): Traefik's shortest is one minute.
 */
let pebble: Pebble;
let backend: Backend;
let berth: BerthProcess;
let issuerRoot: string;

before(async () => {
  pebble = await startPebble({ certificateValidityPeriod: 600 });
  issuerRoot = await pebble.issuerRoot();
  backend = await startBackend('renewal-backend');
  berth = await startBerth({
    config: {
      entryPoints: {
        web: { address: `127.0.0.1:${pebble.httpPort}` },
        websecure: { address: `127.0.0.1:${pebble.tlsPort}`, http: { tls: { certResolver: 'short' } } },
      },
      providers: { file: { filename: 'dynamic.yml' } },
      certificatesResolvers: {
        short: { acme: { email: 'ops@berth.test', caServer: pebble.directory, storage: 'acme.json', keyType: 'EC256', certificatesDuration: 1, caCertificates: ['pebble-listener.pem'], httpChallenge: { entryPoint: 'web' } } },
      },
    },
    files: {
      'pebble-listener.pem': pebble.listenerCaPem,
      'dynamic.yml': JSON.stringify({
        http: {
          routers: { app: { rule: 'Host(`renew.test`)', service: 'backend', entryPoints: ['websecure'] } },
          services: { backend: { loadBalancer: { servers: [{ url: backend.url }] } } },
        },
      }),
    },
    env: { BERTHTEST_ACME_RENEWAL_CHECK_MS: '1000', BERTHTEST_ACME_POLL_MS: '250' },
  });
});

after(async () => {
  await berth?.stop();
  await backend?.close();
  await pebble?.close();
});

test('a certificate inside its renewal window is replaced by a new one, served without a restart', async () => {
  const first = await waitFor(async () => {
    const result = await handshake(pebble.tlsPort, { servername: 'renew.test', ca: issuerRoot });
    return result.ok ? result.fingerprint : undefined;
  }, 60_000, 'the first certificate (the router inherits certResolver from the entrypoint)');
  await berth.waitForLog(/^renewing ACME certificate$/, { fields: { domains: ['renew.test'] } });
  const renewed = await waitFor(async () => {
    const result = await handshake(pebble.tlsPort, { servername: 'renew.test', ca: issuerRoot });
    return result.ok && result.fingerprint !== first ? result.fingerprint : undefined;
  }, 60_000, 'a renewed certificate');
  assert.notEqual(renewed, first);
  const stored = JSON.parse(await readFile(join(berth.dir, 'acme.json'), 'utf8')) as { short: { Certificates: Array<{ domain: { main: string }; certificate: string }> } };
  assert.equal(stored.short.Certificates.length, 1, 'the renewed certificate replaces the old one in acme.json');
  const pem = Buffer.from(stored.short.Certificates[0]?.certificate ?? '', 'base64').toString();
  const storedFingerprint = new X509Certificate(pem).fingerprint256;
  assert.match(`${storedFingerprint} ${first}`, /^([0-9A-F]{2}:){31}[0-9A-F]{2} ([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'comparable fingerprints');
  assert.notEqual(storedFingerprint, first, 'the stored certificate is a renewed one');
  assert.equal(berth.entries().filter((e) => e['msg'] === 'entryPoint websecure listening').length, 1);
});
