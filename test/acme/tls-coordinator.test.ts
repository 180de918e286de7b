import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AcmeProvider } from '../../src/acme/provider.js';
import type { RouterCertificateNeed } from '../../src/acme/domains.js';
import type { OrderStatus } from '../../src/acme/resolver.js';
import { createTlsCoordinator } from '../../src/acme/tls-coordinator.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import { silentLogger } from '../../src/observability/logger.js';
import { elementKey, type ElementInfo, type RuntimeStatus } from '../../src/runtime/status.js';
import { generateDefaultCertificate } from '../../src/tls/default-certificate.js';
import { createTlsManager } from '../../src/tls/tls-manager.js';
import { createTestCa } from '../helpers/certs.js';
import { placed, snapshotOf } from './tls-fixture.js';

const ca = await createTestCa();
const siteA = await ca.issue(['a.test']);

/** A stand-in for one resolver's provider that records what it is asked to certify. */
function fakeProvider(name: string, status: OrderStatus[] = []): AcmeProvider & { calls: Array<{ needs: readonly RouterCertificateNeed[]; uncovered: string[] }> } {
  const calls: Array<{ needs: readonly RouterCertificateNeed[]; uncovered: string[] }> = [];
  return {
    name: `${name}.acme`, throttled: false, calls,
    resolver: { name, status: () => status } as AcmeProvider['resolver'],
    start: async () => undefined,
    usable: () => true,
    onSnapshot(needs, covered) {
      calls.push({ needs, uncovered: [...new Set(needs.flatMap((n) => n.hosts))].filter((h) => !covered(h)) });
    },
  };
}

function statusOf(names: string[]): RuntimeStatus {
  const elements = new Map<string, ElementInfo>(names.map((name) => [elementKey('http.routers', name), { name, provider: name.split('@')[1] ?? '', section: 'http.routers', status: 'enabled', issues: [], config: {} }]));
  return { generation: 1, elements, issues: [] };
}

test('a snapshot updates the TLS manager (certificates, host options) before resolvers are asked for what is not covered', async () => {
  const manager = await createTlsManager({ readFile: async () => { throw new Error('unreadable'); }, generatedDefault: await generateDefaultCertificate() });
  const le = fakeProvider('le');
  const coordinator = createTlsCoordinator({ manager, acme: [le], logger: silentLogger() });
  const tls = {
    certificates: [{ certFile: siteA.certPem, keyFile: siteA.keyPem }, { certFile: '/missing.pem', keyFile: '/missing.key' }],
    options: { 'mtls@file': { minVersion: 'VersionTLS12', sniStrict: false, alpnProtocols: ['h2'], disableSessionTickets: false } },
    stores: { default: { defaultGeneratedCert: { resolver: 'le', domain: { main: 'default.test' } } } },
  };
  const snapshot = snapshotOf({ 'a@docker': { tls: { certResolver: 'le' } }, 'm@file': { tls: { options: 'mtls@file' } }, 's1@file': { tls: {} }, 's2@file': { tls: { options: 'mtls@file' } } }, { tls });
  const routes = [
    placed('a@docker', ['a.test', 'b.test'], { certResolver: 'le' }),
    placed('m@file', ['strict.test'], { options: 'mtls@file' }),
    placed('s1@file', ['shared.test'], {}),
    placed('s2@file', ['shared.test'], { options: 'mtls@file' }),
  ];
  coordinator.apply(snapshot, routes);
  await coordinator.settled();
  assert.equal(manager.optionsFor('strict.test'), 'mtls@file');
  assert.equal(manager.optionsFor('shared.test'), 'default', 'conflicting routers: default options');
  assert.equal(manager.store.match('a.test')?.fingerprint !== undefined, true);
  assert.equal(le.calls.length, 1);
  assert.deepEqual(le.calls[0]?.uncovered, ['b.test', 'strict.test', 'shared.test'], 'a.test is covered by the file certificate');
  assert.ok(le.calls[0]?.needs.some((n) => n.name === 'tls.stores.default.defaultGeneratedCert'), 'defaultGeneratedCert asks the resolver too');

  const base = statusOf(['a@docker', 'm@file', 's1@file', 's2@file']);
  const shown = coordinator.status(base);
  assert.equal(base.elements.get(elementKey('http.routers', 's1@file'))?.status, 'enabled', 'the graph\'s own status is not changed');
  const s1 = shown.elements.get(elementKey('http.routers', 's1@file'));
  assert.equal(s1?.status, 'warning');
  assert.equal(s1?.issues[0]?.code, ErrorCodes.TLS_OPTIONS_CONFLICT);
  assert.match(s1?.issues[0]?.message ?? '', /host "shared\.test" different TLS options \(s1@file wants "default", s2@file wants "mtls@file"\)/);
  assert.equal(shown.elements.get(elementKey('http.routers', 'a@docker'))?.status, 'enabled');
  assert.deepEqual(shown.issues.map((i) => i.code), [ErrorCodes.CERTIFICATE], 'the unreadable certificate is shown');
});

test('snapshots apply in order, and a failed order shows on its router until it succeeds', async () => {
  const manager = await createTlsManager({ readFile: async () => '', generatedDefault: await generateDefaultCertificate() });
  const status: OrderStatus[] = [];
  const le = fakeProvider('le', status);
  const coordinator = createTlsCoordinator({ manager, acme: [le], logger: silentLogger() });
  const snapshot = snapshotOf({ 'a@docker': { tls: { certResolver: 'le' } } });
  coordinator.apply(snapshot, [placed('a@docker', ['one.test'], { certResolver: 'le' })]);
  coordinator.apply(snapshot, [placed('a@docker', ['two.test'], { certResolver: 'le' })]);
  await coordinator.settled();
  assert.deepEqual(le.calls.map((c) => c.uncovered), [['one.test'], ['two.test']]);
  const base = statusOf(['a@docker']);
  assert.equal(coordinator.status(base), base, 'nothing to add: the same object');
  status.push({ names: ['two.test'], state: 'failed', challenge: 'tls-alpn-01', failures: 1, error: { detail: 'connection refused' }, nextAttempt: '2030-01-01T00:00:00.000Z' });
  const router = coordinator.status(base).elements.get(elementKey('http.routers', 'a@docker'));
  assert.equal(router?.status, 'warning');
  assert.match(router?.issues[0]?.message ?? '', /could not obtain a certificate for two\.test \(tls-alpn-01 challenge\): connection refused/);
  status.length = 0;
  assert.equal(coordinator.status(base), base);
});
