import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMiddlewareChain } from '../../../src/runtime/middlewares/chain-builder.js';
import { middlewareRegistry, type MiddlewareRegistry } from '../../../src/runtime/middlewares/registry.js';
import { catalogOf, echo, send, serve } from './harness.js';

test('middlewares run in list order and chains expand in place', async () => {
  const catalog = catalogOf({
    a: { addPrefix: { prefix: '/a' } },
    group: { chain: { middlewares: ['b@test', 'c@test'] } },
    b: { addPrefix: { prefix: '/b' } },
    c: { headers: { customRequestHeaders: { 'X-C': 'c' } } },
  });
  const result = buildMiddlewareChain(['group@test', 'a@test'], echo, catalog);
  assert.ok(result.ok);
  assert.deepEqual(result.used, ['group@test', 'b@test', 'c@test', 'a@test']);
  const served = await serve(result.handler);
  try {
    const reply = await send(served.url, { path: '/x' });
    // group adds /b first, then a adds /a in front of it.
    assert.equal(reply.echoed.url, '/a/b/x');
    assert.equal(reply.echoed.headers['x-c'], 'c');
  } finally {
    await served.close();
  }
});

test('a missing middleware is reported with its name, on the list and on the chain that names it', () => {
  const catalog = catalogOf({ group: { chain: { middlewares: ['nope@file'] } } });
  const result = buildMiddlewareChain(['x@docker', 'group@test'], echo, catalog);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map((e) => [e.code, e.message]), [
    ['BERTH_ERR_MIDDLEWARE_NOT_FOUND', 'middleware "x@docker" does not exist'],
    ['BERTH_ERR_MIDDLEWARE_NOT_FOUND', 'middleware "group@test": middleware "nope@file" does not exist'],
  ]);
  assert.deepEqual(catalog.issues.get('group@test')?.map((i) => i.message), ['middleware "nope@file" does not exist']);
  assert.equal(catalog.issues.get('x@docker'), undefined);
});

test('recursion through chains is detected and reported with the cycle path (Traefik wording)', () => {
  const catalog = catalogOf({
    m1: { chain: { middlewares: ['m2@test'] } },
    m2: { chain: { middlewares: ['m3@test'] } },
    m3: { chain: { middlewares: ['m1@test'] } },
  });
  const result = buildMiddlewareChain(['m1@test'], echo, catalog);
  assert.ok(!result.ok);
  const message = 'could not instantiate middleware m1@test: recursion detected in middleware:m1@test->middleware:m2@test->middleware:m3@test->middleware:m1@test';
  assert.deepEqual(result.errors, [{ code: 'BERTH_ERR_RECURSION', severity: 'error', message: `middleware "m1@test": ${message}` }]);
  for (const name of ['m1@test', 'm2@test', 'm3@test']) {
    assert.deepEqual(catalog.issues.get(name)?.map((i) => i.code), ['BERTH_ERR_RECURSION'], name);
  }
  assert.deepEqual(result.used, ['m1@test', 'm2@test', 'm3@test']);
});

test('a middleware that includes itself is a recursion', () => {
  const catalog = catalogOf({ m0: { chain: { middlewares: ['m0@test'] } } });
  const result = buildMiddlewareChain(['m0@test'], echo, catalog);
  assert.ok(!result.ok);
  assert.match(result.errors[0]?.message ?? '', /recursion detected in middleware:m0@test->middleware:m0@test$/);
});

test('a diamond (one middleware reached twice through two chains) is not a recursion', () => {
  const catalog = catalogOf({
    top: { chain: { middlewares: ['left@test', 'right@test'] } },
    left: { chain: { middlewares: ['shared@test'] } },
    right: { chain: { middlewares: ['shared@test'] } },
    shared: { headers: { customRequestHeaders: { 'X-Shared': 'yes' } } },
  });
  const result = buildMiddlewareChain(['top@test'], echo, catalog);
  assert.ok(result.ok);
  assert.deepEqual(result.used, ['top@test', 'left@test', 'shared@test', 'right@test']);
});

test('each middleware is validated once per graph and constructed once per chain position', () => {
  let prepared = 0;
  let constructed = 0;
  const registry: MiddlewareRegistry = {
    ...middlewareRegistry,
    addPrefix: () => {
      prepared++;
      return (next) => {
        constructed++;
        return next;
      };
    },
  };
  const catalog = catalogOf({ p: { addPrefix: { prefix: '/p' } }, group: { chain: { middlewares: ['p@test'] } } }, { registry });
  assert.ok(buildMiddlewareChain(['p@test'], echo, catalog).ok);
  assert.ok(buildMiddlewareChain(['group@test', 'p@test'], echo, catalog).ok);
  assert.equal(prepared, 1);
  assert.equal(constructed, 3);
});

test('a broken middleware disables every chain using it, and its error is recorded once', () => {
  const catalog = catalogOf({ bad: { stripPrefixRegex: { regex: ['('] } } });
  assert.equal(buildMiddlewareChain(['bad@test'], echo, catalog).ok, false);
  assert.equal(buildMiddlewareChain(['bad@test'], echo, catalog).ok, false);
  assert.equal(catalog.issues.get('bad@test')?.length, 1);
});

test('check() validates a middleware no router uses', () => {
  const catalog = catalogOf({ bad: { stripPrefixRegex: { regex: ['('] } }, good: { addPrefix: { prefix: '/x' } } });
  assert.equal(catalog.check('bad@test')[0]?.code, 'BERTH_ERR_INVALID_VALUE');
  assert.deepEqual(catalog.check('good@test'), []);
  assert.equal(catalog.check('none@test')[0]?.code, 'BERTH_ERR_MIDDLEWARE_NOT_FOUND');
});

test('plugins fail at build time with a clear NOT_SUPPORTED error', () => {
  const catalog = catalogOf({ p: { plugin: { sablier: { group: 'x' } } } });
  const issues = catalog.check('p@test');
  assert.equal(issues[0]?.code, 'BERTH_ERR_NOT_SUPPORTED');
  assert.match(issues[0]?.message ?? '', /Traefik plugins \(Yaegi\/WASM\) are not supported by Berth \(plugin "sablier"\)/);
});

test('warnings from a factory are recorded on the middleware without disabling it', () => {
  const registry: MiddlewareRegistry = {
    ...middlewareRegistry,
    addPrefix: (_options, build) => {
      build.warn('BERTH_ERR_INVALID_VALUE', 'something is deprecated');
      return (next) => next;
    },
  };
  const catalog = catalogOf({ p: { addPrefix: { prefix: '/p' } } }, { registry });
  assert.ok(buildMiddlewareChain(['p@test'], echo, catalog).ok);
  assert.deepEqual(catalog.issues.get('p@test'), [{ code: 'BERTH_ERR_INVALID_VALUE', severity: 'warning', message: 'something is deprecated' }]);
});
