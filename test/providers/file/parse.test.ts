import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePaths, parseDynamicFiles } from '../../../src/providers/file/parse.js';

/** Plain JSON view (the decoded maps have no prototype). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const routerA = 'http:\n  routers:\n    web:\n      rule: Host(`a.test`)\n      service: app\n';
const serviceApp = 'http:\n  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:8080\n';

test('files are decoded and merged into one configuration', () => {
  const parsed = parseDynamicFiles([
    { name: 'dynamic/services.yml', text: serviceApp },
    { name: 'dynamic/routers.yml', text: routerA },
    { name: 'dynamic/empty.yml', text: '' },
    { name: 'dynamic/comments.yaml', text: '# nothing here yet\n' },
  ]);
  assert.deepEqual(parsed.issues, []);
  const config = plain(parsed.config) as { http: { routers: Record<string, unknown>; services: Record<string, { loadBalancer: { servers: unknown[] } }> } };
  assert.deepEqual(Object.keys(config.http.routers), ['web']);
  assert.deepEqual(config.http.services['app']?.loadBalancer.servers, [{ url: 'http://127.0.0.1:8080' }]);
});

test('the same element in two files: the first in path order is kept, the second reported on its own line', () => {
  const parsed = parseDynamicFiles([
    { name: 'dynamic/b.yml', text: 'http:\n  routers:\n    web:\n      rule: Host(`b.test`)\n' },
    { name: 'dynamic/a.yml', text: '\n' + routerA },
  ]);
  const routers = (parsed.config?.http?.routers ?? {}) as Record<string, { rule?: string }>;
  assert.equal(routers['web']?.rule, 'Host(`a.test`)');
  assert.equal(parsed.issues.length, 1);
  const issue = parsed.issues[0];
  assert.equal(issue?.code, 'BERTH_ERR_DUPLICATE_ELEMENT');
  assert.equal(issue?.severity, 'warning');
  assert.equal(issue?.where, 'dynamic/b.yml:3: http.routers.web');
  assert.match(issue?.message ?? '', /HTTP router "web" is also defined in dynamic\/a\.yml:4: http\.routers\.web/);
  assert.deepEqual(issue?.element, { section: 'http.routers', name: 'web' });
});

test('the merge order does not depend on the order files are given in', () => {
  const files = [
    { name: 'd/z.yml', text: 'tcp:\n  services:\n    s:\n      loadBalancer:\n        servers: [{ address: "127.0.0.1:1" }]\n' },
    { name: 'd/a/x.yml', text: 'tcp:\n  services:\n    s:\n      loadBalancer:\n        servers: [{ address: "127.0.0.1:2" }]\n' },
    { name: 'd/a.yml', text: 'tcp:\n  services:\n    s:\n      loadBalancer:\n        servers: [{ address: "127.0.0.1:3" }]\n' },
  ];
  const forward = parseDynamicFiles(files);
  const backward = parseDynamicFiles([...files].reverse());
  assert.deepEqual(plain(forward), plain(backward));
  // A folder's files come where the folder's name sorts, as Traefik walks a directory.
  assert.deepEqual(plain(forward.config?.tcp?.services?.['s']), { loadBalancer: { servers: [{ address: '127.0.0.1:2' }] } });
  assert.deepEqual(['d/z.yml', 'd/a.yml', 'd/a/x.yml'].sort(comparePaths), ['d/a/x.yml', 'd/a.yml', 'd/z.yml']);
});

test('TLS: certificates are concatenated, options and stores merged by name with the duplicate rule', () => {
  const parsed = parseDynamicFiles([
    { name: 'a.yml', text: 'tls:\n  certificates:\n    - { certFile: a.crt, keyFile: a.key }\n  options:\n    modern: { minVersion: VersionTLS13 }\n' },
    { name: 'b.yml', text: 'tls:\n  certificates:\n    - { certFile: b.crt, keyFile: b.key }\n    - { certFile: a.crt, keyFile: a.key }\n  options:\n    modern: { minVersion: VersionTLS12 }\n  stores:\n    default: {}\n' },
  ]);
  const tls = plain(parsed.config?.tls) as { certificates: unknown[]; options: Record<string, { minVersion: string }>; stores: Record<string, unknown> };
  assert.deepEqual(tls.certificates, [{ certFile: 'a.crt', keyFile: 'a.key' }, { certFile: 'b.crt', keyFile: 'b.key' }]);
  assert.equal(tls.options['modern']?.minVersion, 'VersionTLS13');
  assert.deepEqual(Object.keys(tls.stores), ['default']);
  assert.deepEqual(parsed.issues.map((i) => [i.code, i.where]), [
    ['BERTH_ERR_DUPLICATE_ELEMENT', 'b.yml:6: tls.options.modern'],
    ['BERTH_ERR_DUPLICATE_ELEMENT', 'b.yml:4: tls.certificates[1]'],
  ]);
  assert.equal(parsed.issues[0]?.element, undefined);
});

test('an unknown key disables its element alone, with a "did you mean" and the line', () => {
  const parsed = parseDynamicFiles([
    { name: 'dynamic/app.yml', text: 'http:\n  routers:\n    web:\n      rule: Host(`a.test`)\n      servce: app\n    api:\n      rule: Host(`b.test`)\n      service: app\n' },
  ]);
  assert.ok(parsed.config !== undefined);
  assert.deepEqual(Object.keys(parsed.config.http?.routers ?? {}), ['api']);
  assert.equal(parsed.issues.length, 1);
  const issue = parsed.issues[0];
  assert.equal(issue?.code, 'BERTH_ERR_UNKNOWN_KEY');
  assert.equal(issue?.where, 'dynamic/app.yml:5: http.routers.web.servce');
  assert.match(issue?.message ?? '', /did you mean "service"/);
  assert.deepEqual(issue?.element, { section: 'http.routers', name: 'web' });
});

test('a broken first definition still counts as defined: the second one does not silently replace it', () => {
  const parsed = parseDynamicFiles([
    { name: 'a.yml', text: 'http:\n  middlewares:\n    auth:\n      basicAuth: { users: ["u:$apr1$x"] }\n      stripPrefix: { prefixes: [/a] }\n' },
    { name: 'b.yml', text: 'http:\n  middlewares:\n    auth:\n      stripPrefix: { prefixes: [/b] }\n' },
  ]);
  assert.ok(parsed.config !== undefined);
  assert.deepEqual(Object.keys(parsed.config.http?.middlewares ?? {}), []);
  assert.deepEqual(parsed.issues.map((i) => [i.code, i.severity, i.where]), [
    ['BERTH_ERR_CONFLICTING_KEYS', 'error', 'a.yml:3: http.middlewares.auth'],
    ['BERTH_ERR_DUPLICATE_ELEMENT', 'warning', 'b.yml:3: http.middlewares.auth'],
  ]);
});

test('a YAML syntax error in any file withholds the whole configuration, with file:line:col', () => {
  const parsed = parseDynamicFiles([
    { name: 'dynamic/good.yml', text: routerA },
    { name: 'dynamic/bad.yml', text: 'http:\n  routers:\n    web2: [\n' },
  ]);
  assert.equal(parsed.config, undefined);
  assert.ok(parsed.issues.length >= 1);
  for (const issue of parsed.issues) {
    assert.equal(issue.code, 'BERTH_ERR_YAML_SYNTAX');
    assert.match(issue.where, /^dynamic\/bad\.yml:\d+:\d+$/);
  }
});

test('keys repeated inside one file are a syntax error, as in Traefik', () => {
  const parsed = parseDynamicFiles([{ name: 'x.yml', text: 'http:\n  routers: {}\n  routers: {}\n' }]);
  assert.equal(parsed.config, undefined);
  assert.match(parsed.issues[0]?.where ?? '', /^x\.yml:3:\d+$/);
});

test('templates are rendered with the given environment; an unsupported action withholds the configuration', () => {
  const text = 'http:\n  routers:\n    web:\n      rule: Host(`{{ env "DOMAIN" }}`)\n      service: {{ env "SERVICE" | default "app" }}\n';
  const parsed = parseDynamicFiles([{ name: 'app.yml', text }], { env: { DOMAIN: 'a.test' } });
  assert.deepEqual(parsed.issues, []);
  assert.deepEqual(plain(parsed.config?.http?.routers), { web: { rule: 'Host(`a.test`)', service: 'app' } });
  assert.deepEqual(parsed.rendered.map((f) => f.name), ['app.yml']);

  const unsupported = parseDynamicFiles([{ name: 'good.yml', text: routerA }, { name: 'app.yml', text: 'x: {{ .Values.x }}\n' }]);
  assert.equal(unsupported.config, undefined);
  assert.deepEqual(unsupported.issues.map((i) => [i.code, i.where]), [['BERTH_ERR_NOT_SUPPORTED', 'app.yml:1:4']]);
});

test('a file that is not a section is reported and contributes nothing', () => {
  const parsed = parseDynamicFiles([{ name: 'list.yml', text: '- a\n- b\n' }, { name: 'ok.yml', text: routerA }]);
  assert.deepEqual(Object.keys(parsed.config?.http?.routers ?? {}), ['web']);
  assert.deepEqual(parsed.issues.map((i) => i.code), ['BERTH_ERR_INVALID_TYPE']);
});
