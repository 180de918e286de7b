import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_USER_PRIORITY, createHttpMux, defaultPriority, type MuxRoute } from '../../../src/runtime/mux/http-mux.js';
import { compileHttpRule, type HttpMatchInput } from '../../../src/runtime/rules/http-matchers.js';
import { parsed, request } from '../rules/rule-helpers.js';

interface RouteSpec {
  name: string;
  rule: string;
  priority?: number;
  providerRank?: number;
}

/** Builds a route whose payload is its name; `calls` counts how often its matcher ran. */
function route(spec: RouteSpec, calls?: Map<string, number>): MuxRoute<string> {
  const ast = parsed(spec.rule);
  const compiled = compileHttpRule(ast);
  assert.ok(compiled.ok, spec.rule);
  const inner = compiled.match;
  const match = calls === undefined ? inner : (input: HttpMatchInput): boolean => {
    calls.set(spec.name, (calls.get(spec.name) ?? 0) + 1);
    return inner(input);
  };
  const priority = spec.priority === undefined || spec.priority === 0 ? defaultPriority(spec.rule) : spec.priority;
  return { name: spec.name, priority, ast, match, payload: spec.name, ...(spec.providerRank === undefined ? {} : { providerRank: spec.providerRank }) };
}

function winner(specs: readonly RouteSpec[], target: string): string | undefined {
  return createHttpMux(specs.map((spec) => route(spec))).match(request(target));
}

test('defaultPriority is the rule length in bytes; MAX_USER_PRIORITY is MaxInt64 - 1000', () => {
  assert.equal(defaultPriority('Host(`example.org`)'), 19);
  assert.equal(defaultPriority('Path(`/é`)'), 11);
  assert.equal(MAX_USER_PRIORITY, 2 ** 63 - 1 - 1000);
  assert.ok(MAX_USER_PRIORITY > Number.MAX_SAFE_INTEGER);
});

test('priority decides: explicit priorities, then rule length', () => {
  const table: ReadonlyArray<readonly [specs: RouteSpec[], path: string, expected: string]> = [
    [[{ name: 'a', rule: 'PathPrefix(`/my`)', priority: 10 }, { name: 'b', rule: 'PathPrefix(`/my`)', priority: 20 }], '/my', 'b'],
    [[{ name: 'a', rule: 'PathPrefix(`/my`)', priority: 20 }, { name: 'b', rule: 'PathPrefix(`/my`)', priority: 10 }], '/my', 'a'],
    [[{ name: 'a', rule: 'PathPrefix(`/mypath`)', priority: 10 }, { name: 'b', rule: 'PathPrefix(`/my`)', priority: 20 }], '/mypath', 'b'],
    [[{ name: 'a', rule: 'PathPrefix(`/mypath`)' }, { name: 'b', rule: 'PathPrefix(`/my`)' }], '/mypath', 'a'],
    [[{ name: 'a', rule: 'PathPrefix(`/my`)' }, { name: 'b', rule: 'PathPrefix(`/mypath`)' }], '/mypath', 'b'],
    [[{ name: 'a', rule: 'PathPrefix(`/my`)' }, { name: 'b', rule: 'PathPrefix(`/mypa`)' }, { name: 'c', rule: 'PathPrefix(`/mypath`)' }], '/mypath', 'c'],
    [[{ name: 'a', rule: 'PathPrefix(`/`)', priority: -5 }, { name: 'b', rule: 'PathPrefix(`/x`)', priority: -1 }], '/x', 'b'],
    [[{ name: 'a', rule: 'PathPrefix(`/`)', priority: MAX_USER_PRIORITY }, { name: 'b', rule: 'PathPrefix(`/x`)', priority: 1e6 }], '/x', 'a'],
  ];
  for (const [specs, path, expected] of table) assert.equal(winner(specs, path), expected, JSON.stringify(specs));
});

test('priority ties go to the lower providerRank, unranked providers last, then to the smaller name', () => {
  const same = (name: string, providerRank?: number): RouteSpec => ({ name, rule: 'PathPrefix(`/my`)', priority: 10, ...(providerRank === undefined ? {} : { providerRank }) });
  assert.equal(winner([same('a', 2), same('b', 1)], '/my'), 'b');
  assert.equal(winner([same('b', 1), same('a', 2)], '/my'), 'b');
  assert.equal(winner([same('a'), same('b', 3)], '/my'), 'b');
  assert.equal(winner([same('a', 0), same('b', 1)], '/my'), 'a');
  assert.equal(winner([{ name: 'a', rule: 'PathPrefix(`/my`)', priority: 20, providerRank: 9 }, same('b', 0)], '/my'), 'a');
  // Same priority, same rank: the name decides, whatever the input order.
  assert.equal(winner([same('web@file', 1), same('api@file', 1)], '/my'), 'api@file');
  assert.equal(winner([same('api@file', 1), same('web@file', 1)], '/my'), 'api@file');
  assert.equal(winner([same('b@docker'), same('a@docker')], '/my'), 'a@docker');
  assert.equal(winner([same('B'), same('a')], '/my'), 'B');
});

test('no match, and an empty muxer, give undefined; size counts the routes', () => {
  const mux = createHttpMux([route({ name: 'a', rule: 'Host(`a.example`)' }), route({ name: 'b', rule: 'Path(`/b`)' })]);
  assert.equal(mux.size, 2);
  assert.equal(mux.match(request('http://c.example/x')), undefined);
  assert.equal(mux.match(request('http://c.example/b')), 'b');
  const empty = createHttpMux<string>([]);
  assert.equal(empty.size, 0);
  assert.equal(empty.match(request('http://a.example/')), undefined);
});

test('host buckets and the generic list merge in global order', () => {
  const specs: RouteSpec[] = [
    { name: 'host', rule: 'Host(`a.example`)', priority: 10 },
    { name: 'host-path', rule: 'Host(`a.example`) && PathPrefix(`/api`)', priority: 30 },
    { name: 'wild', rule: 'Host(`*.example`)', priority: 20 },
    { name: 'generic-high', rule: 'PathPrefix(`/admin`)', priority: 100 },
    { name: 'generic-low', rule: 'PathPrefix(`/`)', priority: 1 },
    { name: 'negated', rule: '!Host(`a.example`) && Path(`/n`)', priority: 50 },
    { name: 'regexp', rule: 'HostRegexp(`^r\\.`)', priority: 40 },
    { name: 'or-hosts', rule: 'Host(`x.example`) || Host(`y.other`)', priority: 60 },
    { name: 'or-mixed', rule: 'Host(`m.example`) || Path(`/m`)', priority: 70 },
    { name: 'catch-all', rule: 'Host(`*`) && Path(`/star`)', priority: 80 },
  ];
  const table: ReadonlyArray<readonly [target: string, expected: string | undefined]> = [
    ['http://a.example/', 'wild'],
    ['http://a.example/api/x', 'host-path'],
    ['http://a.example/admin', 'generic-high'],
    ['http://b.example/', 'wild'],
    ['http://b.example/n', 'negated'],
    ['http://a.example/n', 'wild'],
    ['http://deep.b.example/', 'generic-low'],
    ['http://r.example/', 'regexp'],
    ['http://x.example/', 'or-hosts'],
    ['http://y.other/', 'or-hosts'],
    ['http://z.other/', 'generic-low'],
    ['http://m.example/', 'or-mixed'],
    ['http://q.other/m', 'or-mixed'],
    ['http://q.other/star', 'catch-all'],
    ['/star', 'catch-all'],
    ['/n', 'negated'],
  ];
  const mux = createHttpMux(specs.map((spec) => route(spec)));
  for (const [target, expected] of table) assert.equal(mux.match(request(target)), expected, target);
});

test('the host index never changes the answer: indexed and linear routing agree', () => {
  const rules = [
    'Host(`a.example`)', 'Host(`A.EXAMPLE.`) && Path(`/p`)', 'Host(`*.example`)', 'Host(`*.a.example`)', 'Host(`*`)',
    'Host(`a.example`) || Host(`*.b.example`)', 'Host(`a.example`) && Host(`b.example`)', '!Host(`a.example`)',
    'Host(`*example`)', 'HostRegexp(`example$`)', 'PathPrefix(`/p`)', '(Host(`c.example`) || PathPrefix(`/q`)) && Method(`GET`)',
    '!(Host(`a.example`) || Host(`c.example`))', 'Host(`c.example`) && !Host(`*.example`)',
  ];
  const routes = rules.map((rule, i) => route({ name: `r${String(i).padStart(2, '0')}`, rule, priority: (i * 7) % 5 }));
  const mux = createHttpMux(routes);
  const linear = [...routes].sort((x, y) => y.priority - x.priority || (x.name < y.name ? -1 : 1));
  const hosts = ['a.example', 'b.example', 'x.b.example', 'x.a.example', 'c.example', 'example', 'aexample', 'other.test', ''];
  for (const host of hosts) {
    for (const path of ['/', '/p', '/q']) {
      for (const method of ['GET', 'POST']) {
        const input = request(path, { method, headers: host === '' ? [] : [['Host', host]] });
        const expected = linear.find((r) => r.match(input))?.payload;
        assert.equal(mux.match(input), expected, `${method} ${host}${path}`);
      }
    }
  }
});

test('with 10,000 Host() routers a request runs O(1) matchers', () => {
  const calls = new Map<string, number>();
  const routes: MuxRoute<string>[] = [];
  for (let i = 0; i < 10_000; i++) routes.push(route({ name: `h${i}`, rule: `Host(\`h${i}.test\`) && PathPrefix(\`/x\`)` }, calls));
  routes.push(route({ name: 'wild', rule: 'Host(`*.wild.test`)' }, calls));
  routes.push(route({ name: 'fallback', rule: 'PathPrefix(`/`)', priority: 1 }, calls));
  const mux = createHttpMux(routes);
  const total = (): number => [...calls.values()].reduce((sum, n) => sum + n, 0);

  assert.equal(mux.match(request('http://h4242.test/x/y')), 'h4242');
  assert.deepEqual([...calls.entries()], [['h4242', 1]]);

  calls.clear();
  assert.equal(mux.match(request('http://h4242.test/other')), 'fallback');
  assert.equal(total(), 2);

  calls.clear();
  assert.equal(mux.match(request('http://nobody.test/x')), 'fallback');
  assert.deepEqual([...calls.entries()], [['fallback', 1]]);

  calls.clear();
  assert.equal(mux.match(request('http://a.wild.test/')), 'wild');
  assert.deepEqual([...calls.entries()], [['wild', 1]]);
});

test('a generic route of higher priority beats a host-bucket route, and a lower one loses to it', () => {
  const calls = new Map<string, number>();
  const specs: RouteSpec[] = [
    { name: 'host', rule: 'Host(`a.test`)', priority: 10 },
    { name: 'generic-high', rule: 'Method(`GET`)', priority: 20 },
    { name: 'generic-low', rule: 'Method(`GET`)', priority: 5 },
  ];
  const mux = createHttpMux(specs.map((spec) => route(spec, calls)));
  assert.equal(mux.match(request('http://a.test/', { method: 'GET' })), 'generic-high');
  assert.deepEqual([...calls.keys()], ['generic-high']);
  calls.clear();
  assert.equal(mux.match(request('http://a.test/', { method: 'POST' })), 'host');
  assert.deepEqual([...calls.keys()], ['generic-high', 'host']);
});

test('a route required by two buckets of one request is tried once', () => {
  const calls = new Map<string, number>();
  const mux = createHttpMux([route({ name: 'both', rule: '(Host(`a.b.test`) || Host(`*.b.test`) || Host(`a.b.test`)) && Path(`/x`)' }, calls)]);
  assert.equal(mux.match(request('http://a.b.test/y')), undefined);
  assert.deepEqual([...calls.entries()], [['both', 1]]);
});
