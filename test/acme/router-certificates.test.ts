import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routerCertificateIssues, tlsRouterNeeds, type ResolverState } from '../../src/acme/router-certificates.js';
import type { OrderStatus } from '../../src/acme/resolver.js';
import { ErrorCodes } from '../../src/errors/codes.js';
import { placed, snapshotOf } from './tls-fixture.js';

const resolver = (status: OrderStatus[], usable = true): ResolverState => ({ usable: () => usable, status: () => status });

test('needs: one per TLS router, with its hosts and domains; where names the label or the entrypoint', () => {
  const snapshot = snapshotOf({ 'own@docker': { tls: { certResolver: 'le' } }, 'inherits@file': {} }, {
    origins: { 'http.routers/own@docker': { '': 'container web-1', tls: 'label traefik.http.routers.own.tls.certresolver on container web-1' } },
  });
  const needs = tlsRouterNeeds([
    placed('own@docker', ['a.test'], { certResolver: 'le' }),
    placed('own@docker', ['a.test'], { certResolver: 'le' }, 'other'),
    placed('inherits@file', ['b.test'], { certResolver: 'le', domains: [{ main: 'b.test', sans: ['c.test'] }] }),
    placed('plain@file', ['p.test'], undefined, 'web'),
  ], snapshot);
  assert.deepEqual(needs.map((n) => [n.name, n.certResolver, n.hosts, n.domains, n.where]), [
    ['own@docker', 'le', ['a.test'], undefined, 'label traefik.http.routers.own.tls.certresolver on container web-1'],
    ['inherits@file', 'le', ['b.test'], [{ main: 'b.test', sans: ['c.test'] }], 'entryPoints.websecure.http.tls.certResolver (inherited by router inherits@file)'],
  ]);
});

test('issues: a nonexistent or unusable resolver, and each failed name set of the router with the CA\'s problem', () => {
  const needs = [
    { name: 'typo@docker', certResolver: 'lee', hosts: ['a.test'], where: 'label x' },
    { name: 'broken@docker', certResolver: 'broken', hosts: ['b.test'], where: 'label y' },
    { name: 'failing@docker', certResolver: 'le', hosts: ['c.test', 'www.c.test'], where: 'label z' },
    { name: 'fine@docker', certResolver: 'le', hosts: ['d.test'], where: 'label w' },
    { name: 'none@docker', certResolver: undefined, hosts: ['e.test'], where: 'label v' },
  ];
  const failed: OrderStatus = {
    names: ['c.test', 'www.c.test'], state: 'failed', challenge: 'http-01', failures: 2,
    error: { type: 'urn:ietf:params:acme:error:unauthorized', detail: 'Invalid response from http://c.test/: 404' }, nextAttempt: '2030-01-01T00:00:00.000Z',
  };
  const issues = routerCertificateIssues(needs, new Map([
    ['le', resolver([failed, { names: ['d.test'], state: 'ordering', failures: 0 }])],
    ['broken', resolver([], false)],
  ]));
  assert.deepEqual([...issues.keys()], ['typo@docker', 'broken@docker', 'failing@docker']);
  const [typo] = issues.get('typo@docker') ?? [];
  assert.deepEqual([typo?.code, typo?.severity, typo?.where, typo?.element], [ErrorCodes.ACME_RESOLVER_NOT_FOUND, 'warning', 'label x', { section: 'http.routers', name: 'typo@docker' }]);
  assert.match(typo?.message ?? '', /nonexistent certificate resolver "lee" \(did you mean "le"\?\); certificate resolvers: le, broken/);
  assert.match(issues.get('broken@docker')?.[0]?.message ?? '', /certificate resolver "broken" is disabled because its storage cannot be used/);
  const [failing] = issues.get('failing@docker') ?? [];
  assert.equal(failing?.code, ErrorCodes.ACME_ORDER);
  assert.match(failing?.message ?? '', /for c\.test, www\.c\.test \(http-01 challenge\): urn:ietf:params:acme:error:unauthorized: Invalid response from http:\/\/c\.test\/: 404; 2 failed attempts, next attempt at 2030-01-01T00:00:00\.000Z/);

  const limited = routerCertificateIssues([needs[3] as typeof needs[number]], new Map([['le', resolver([{ ...failed, names: ['d.test'], error: { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' } }])]]));
  assert.equal(limited.get('fine@docker')?.[0]?.code, ErrorCodes.ACME_RATE_LIMITED);
});
