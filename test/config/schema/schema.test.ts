import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INVALID,
  always,
  bool,
  createContext,
  duration,
  elementName,
  formatPath,
  int,
  list,
  map,
  obj,
  oneOf,
  oneOfKeys,
  optional,
  str,
  unflatten,
  withDefault,
  type FlatEntry,
} from '../../../src/config/schema/index.js';
import { parseYamlSource } from '../../../src/config/schema/yaml-source.js';

const router = obj({
  rule: str({ nonEmpty: true }),
  entryPoints: optional(list(str())),
  priority: withDefault(int(), 0),
  tls: optional(obj({ certResolver: optional(str()), options: optional(str()) }, { allowEmpty: true })),
});
const config = obj({ http: always(obj({ routers: always(map(router, { element: 'http.routers', checkKey: elementName })) })) });

function yamlContext() {
  return createContext({ flat: false, where: (p) => `app.yml: ${formatPath(p)}` });
}

test('keys match case-insensitively and come out in their canonical spelling', () => {
  const ctx = yamlContext();
  const value = config.decode({ HTTP: { Routers: { web: { RULE: 'Host(`a`)', EntryPoints: ['web'] } } } }, [], ctx);
  assert.deepEqual(ctx.issues, []);
  assert.deepEqual(JSON.parse(JSON.stringify(value)), { http: { routers: { web: { rule: 'Host(`a`)', entryPoints: ['web'], priority: 0 } } } });
});

test('an unknown key is reported with the nearest valid key, and only its element is dropped', () => {
  const ctx = yamlContext();
  const value = config.decode({ http: { routers: { web: { rul: 'x' }, api: { rule: 'Host(`b`)' } } } }, [], ctx);
  assert.notEqual(value, INVALID);
  const routers = (value as { http: { routers: Record<string, unknown> } }).http.routers;
  assert.deepEqual(Object.keys(routers), ['api']);
  const unknown = ctx.issues.find((i) => i.code === 'BERTH_ERR_UNKNOWN_KEY');
  assert.ok(unknown);
  assert.match(unknown.message, /unknown key "rul" \(did you mean "rule"\?\)/);
  assert.equal(unknown.where, 'app.yml: http.routers.web.rul');
  assert.deepEqual(unknown.element, { section: 'http.routers', name: 'web' });
  assert.ok(ctx.issues.some((i) => i.code === 'BERTH_ERR_MISSING_VALUE' && i.where === 'app.yml: http.routers.web.rule'));
});

test('every problem is reported at once', () => {
  const ctx = yamlContext();
  config.decode({ http: { routers: { a: { rule: 'x', priority: 'high' }, b: { rule: '', entryPoints: 'web' }, 'c@file': { rule: 'x' } } } }, [], ctx);
  assert.deepEqual(ctx.issues.map((i) => i.where).sort(), ['app.yml: http.routers.a.priority', 'app.yml: http.routers.b.rule', 'app.yml: http.routers.c@file']);
});

test('flat entries become a tree: comma lists, [n] slots, "=true" sections, case-insensitive merge', () => {
  const entries: FlatEntry[] = [
    ['http.routers.web.rule', 'Host(`a`)'],
    ['http.routers.web.entrypoints', 'web, websecure'],
    ['http.routers.web.tls', 'true'],
    ['http.routers.Web.tls.certresolver', 'le'],
    ['http.routers.api.rule', 'Host(`b`)'],
    ['http.routers.api.tls', 'false'],
  ].map(([key, value]) => ({ key: key as string, value: value as string, origin: `label traefik.${key}` }));
  const flat = unflatten(entries);
  assert.deepEqual(flat.issues, []);
  const ctx = createContext({ flat: true, where: flat.where });
  const value = config.decode(flat.tree, [], ctx);
  assert.deepEqual(ctx.issues, []);
  assert.deepEqual(JSON.parse(JSON.stringify(value)), {
    http: {
      routers: {
        api: { rule: 'Host(`b`)', priority: 0 },
        web: { rule: 'Host(`a`)', entryPoints: ['web', 'websecure'], priority: 0, tls: { certResolver: 'le' } },
      },
    },
  });
});

test('issues from flat sources name the original entry', () => {
  const flat = unflatten([
    { key: 'http.routers.web.rule', value: 'Host(`a`)', origin: 'label traefik.http.routers.web.rule on container web-1' },
    { key: 'http.routers.web.priorty', value: '10', origin: 'label traefik.http.routers.web.priorty on container web-1' },
    { key: 'http.routers.web.entrypoints', value: 'a,b', origin: 'label traefik.http.routers.web.entrypoints on container web-1' },
  ]);
  const ctx = createContext({ flat: true, where: flat.where });
  config.decode(flat.tree, [], ctx);
  assert.equal(ctx.issues.length, 1);
  assert.equal(ctx.issues[0]?.where, 'label traefik.http.routers.web.priorty on container web-1');
  assert.match(ctx.issues[0]?.message ?? '', /did you mean "priority"/);
  assert.equal(flat.where(['http', 'routers', 'web', 'entrypoints', 1]), 'label traefik.http.routers.web.entrypoints on container web-1');
});

test('indexed list slots from flat keys', () => {
  const schema = obj({ domains: list(obj({ main: str(), sans: optional(list(str())) })) });
  const flat = unflatten([
    { key: 'domains[1].main', value: 'b.test', origin: 'x' },
    { key: 'domains[0].main', value: 'a.test', origin: 'x' },
    { key: 'domains[0].sans', value: 'c.test,d.test', origin: 'x' },
  ]);
  const ctx = createContext({ flat: true, where: flat.where });
  assert.deepEqual(JSON.parse(JSON.stringify(schema.decode(flat.tree, [], ctx))), {
    domains: [{ main: 'a.test', sans: ['c.test', 'd.test'] }, { main: 'b.test' }],
  });
});

test('a value beside its own sub-keys is a conflict unless it is "true"', () => {
  const flat = unflatten([
    { key: 'tls', value: 'yes', origin: 'label tls' },
    { key: 'tls.certresolver', value: 'le', origin: 'label tls.certresolver' },
  ]);
  assert.equal(flat.issues.length, 1);
  assert.equal(flat.issues[0]?.code, 'BERTH_ERR_CONFLICTING_KEYS');
});

test('scalars: strings coerce, durations parse, enums are case-insensitive', () => {
  const schema = obj({ n: int({ min: 1 }), on: bool(), d: duration(), kind: oneOf(['wrr', 'p2c']) });
  const ctx = yamlContext();
  assert.deepEqual({ ...(schema.decode({ n: '3', on: 'TRUE', d: '1m30s', kind: 'P2C' }, [], ctx) as object) }, { n: 3, on: true, d: 90_000, kind: 'p2c' });
  assert.deepEqual({ ...(schema.decode({ n: 2, on: false, d: 10, kind: 'wrr' }, [], ctx) as object) }, { n: 2, on: false, d: 10_000, kind: 'wrr' });
  assert.equal(ctx.issues.length, 0);
  assert.equal(schema.decode({ n: 0, on: 'maybe', d: '10 parsecs', kind: 'rr' }, [], ctx), INVALID);
  assert.deepEqual(ctx.issues.map((i) => i.where), ['app.yml: n', 'app.yml: on', 'app.yml: d', 'app.yml: kind']);
});

test('exactly one kind per middleware', () => {
  const middleware = oneOfKeys('middleware', { addPrefix: obj({ prefix: str() }), stripPrefix: obj({ prefixes: list(str()) }) });
  const ctx = yamlContext();
  assert.deepEqual({ ...(middleware.decode({ addprefix: { prefix: '/a' } }, [], ctx) as object) }, { addPrefix: { prefix: '/a' } });
  assert.equal(middleware.decode({ addPrefix: { prefix: '/a' }, stripPrefix: { prefixes: ['/b'] } }, [], ctx), INVALID);
  assert.equal(middleware.decode({}, [], ctx), INVALID);
  assert.deepEqual(ctx.issues.map((i) => i.code), ['BERTH_ERR_CONFLICTING_KEYS', 'BERTH_ERR_MISSING_VALUE']);
});

test('maps have no prototype, so "__proto__" from a label is an ordinary name', () => {
  const schema = map(str());
  const flat = unflatten([{ key: '__proto__', value: 'x', origin: 'label' }]);
  const value = schema.decode(flat.tree, [], createContext({ flat: true, where: flat.where })) as Record<string, string>;
  assert.equal(value['__proto__'], 'x');
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
});

test('YAML syntax errors carry file, line and column; key paths carry the line', () => {
  const broken = parseYamlSource('http:\n  routers:\n    web: [\n', 'dynamic/app.yml');
  assert.equal(broken.value, undefined);
  assert.match(broken.issues[0]?.where ?? '', /^dynamic\/app\.yml:\d+:\d+$/);
  const good = parseYamlSource('http:\n  routers:\n    web:\n      rule: x\n', 'dynamic/app.yml');
  assert.deepEqual(good.issues, []);
  assert.equal(good.where(['http', 'routers', 'web', 'rule']), 'dynamic/app.yml:4: http.routers.web.rule');
  assert.equal(good.where(['HTTP', 'routers', 'web', 'tls']), 'dynamic/app.yml:3: HTTP.routers.web.tls');
});

test('a key repeated in one mapping is a syntax error at the repeat; merge keys and other mappings are not', () => {
  const repeated = parseYamlSource('http:\n  routers:\n    web:\n      rule: a\n    api:\n      rule: b\n    web:\n      rule: c\n', 'dynamic/app.yml');
  assert.equal(repeated.value, undefined);
  assert.equal(repeated.issues.length, 1);
  assert.equal(repeated.issues[0]?.where, 'dynamic/app.yml:7:5');
  assert.match(repeated.issues[0]?.message ?? '', /"web" appears twice/);
  const fine = parseYamlSource('base: &b\n  rule: x\nhttp:\n  routers:\n    web:\n      <<: *b\n      service: s\n    api:\n      rule: x\n', 'dynamic/app.yml');
  assert.deepEqual(fine.issues, []);
});
