import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLabels } from '../../../src/config/labels/decode.js';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

test('only http, tcp, udp and tls.stores.default are decoded; enable and docker.* are left to the provider', () => {
  const decoded = decodeLabels({
    'traefik.http.routers.web.rule': 'Host(`a.test`)',
    'traefik.tcp.routers.db.rule': 'HostSNI(`*`)',
    'traefik.udp.routers.dns.entrypoints': 'dns',
    'traefik.tls.stores.default.defaultgeneratedcert.resolver': 'le',
    'traefik.tls.stores.default.defaultgeneratedcert.domain.main': 'a.test',
    'traefik.enable': 'true',
    'traefik.docker.network': 'front',
    'com.example.other': 'x',
  }, 'traefik', 'web-1');
  assert.deepEqual(decoded.issues, []);
  assert.deepEqual(plain(decoded.config), {
    http: { routers: { web: { rule: 'Host(`a.test`)' } } },
    tcp: { routers: { db: { rule: 'HostSNI(`*`)' } } },
    udp: { routers: { dns: { entryPoints: ['dns'] } } },
    tls: { stores: { default: { defaultGeneratedCert: { resolver: 'le', domain: { main: 'a.test' } } } } },
  });
  assert.deepEqual(decoded.declared['http.routers'], ['web']);
  assert.deepEqual(decoded.declared['http.services'], []);
});

test('labels under another prefix are not read', () => {
  const decoded = decodeLabels({ 'traefik.http.routers.web.rule': 'x', 'berth.http.routers.api.rule': 'y' }, 'berth', 'c');
  assert.deepEqual(Object.keys(decoded.config.http?.routers ?? {}), ['api']);
});

test('a load balancer has one server whose port, scheme, url, weight and preservePath come from labels', () => {
  const decoded = decodeLabels({
    'traefik.http.services.s.loadbalancer.server.port': '8080',
    'traefik.http.services.s.loadbalancer.server.scheme': 'https',
    'traefik.http.services.s.loadbalancer.server.weight': '2',
    'traefik.http.services.s.loadbalancer.server.preservepath': 'true',
    'traefik.http.services.u.loadbalancer.server.url': 'http://127.0.0.1:9000',
  }, 'traefik', 'c');
  assert.deepEqual(decoded.issues, []);
  const services = plain(decoded.config.http?.services) as Record<string, { loadBalancer: Record<string, unknown> }>;
  assert.deepEqual(services['s']?.loadBalancer['server'], { port: 8080, scheme: 'https', weight: 2, preservePath: true });
  assert.deepEqual(services['u']?.loadBalancer['server'], { url: 'http://127.0.0.1:9000' });
  // The rest of the load balancer carries the file model's defaults; `servers` is not a label key.
  assert.equal(services['s']?.loadBalancer['strategy'], 'wrr');
  assert.equal(services['s']?.loadBalancer['passHostHeader'], true);
  assert.equal('servers' in (services['s']?.loadBalancer ?? {}), false);
});

test('a port out of range is reported on the label and disables its service only', () => {
  const decoded = decodeLabels({
    'traefik.http.services.bad.loadbalancer.server.port': '70000',
    'traefik.http.services.good.loadbalancer.server.port': '80',
  }, 'traefik', 'web-1');
  assert.deepEqual(Object.keys(decoded.config.http?.services ?? {}), ['good']);
  assert.deepEqual([...decoded.declared['http.services']].sort(), ['bad', 'good']);
  assert.equal(decoded.issues.length, 1);
  assert.deepEqual(decoded.issues[0], {
    code: 'BERTH_ERR_INVALID_VALUE',
    severity: 'error',
    where: 'label traefik.http.services.bad.loadbalancer.server.port on container web-1',
    message: 'must be at most 65535, got 70000',
    element: { section: 'http.services', name: 'bad' },
  });
});

test('a malformed key disables its element and names the label', () => {
  const decoded = decodeLabels({ 'traefik.http.routers.web.tls.domains[x].main': 'a.test', 'traefik.http.routers.web.rule': 'Host(`a`)', 'traefik.http.routers.api.rule': 'Host(`b`)' }, 'traefik', 'c');
  assert.deepEqual(Object.keys(decoded.config.http?.routers ?? {}), ['api']);
  const issue = decoded.issues.find((i) => i.where === 'label traefik.http.routers.web.tls.domains[x].main on container c');
  assert.ok(issue);
  assert.equal(issue.severity, 'error');
  assert.deepEqual(issue.element, { section: 'http.routers', name: 'web' });
});

test('middleware options keep their file-model names and defaults (case-insensitive keys)', () => {
  const decoded = decodeLabels({
    'traefik.http.middlewares.limit.ratelimit.average': '100',
    'traefik.http.middlewares.hdr.headers.customrequestheaders.X-Foo': 'bar',
    'traefik.http.middlewares.strip.stripprefix.prefixes': '/a,/b',
  }, 'traefik', 'c');
  assert.deepEqual(decoded.issues, []);
  const middlewares = plain(decoded.config.http?.middlewares) as Record<string, Record<string, Record<string, unknown>>>;
  assert.equal(middlewares['limit']?.['rateLimit']?.['average'], 100);
  assert.deepEqual(middlewares['hdr']?.['headers']?.['customRequestHeaders'], { 'X-Foo': 'bar' });
  assert.deepEqual(middlewares['strip']?.['stripPrefix']?.['prefixes'], ['/a', '/b']);
});

test('second-level typos get a warning; unrelated keys do not', () => {
  const decoded = decodeLabels({
    'traefik.htpp.routers.web.rule': 'x',
    'traefik.tpc.services.db.loadbalancer.server.port': '1',
    'traefik.tags': 'public',
    'traefik.wrong.label': '42',
    'traefik.frontend.rule': 'Host:a',
  }, 'traefik', 'c');
  assert.deepEqual(decoded.issues.map((i) => [i.where, i.severity, /did you mean "([^"]+)"/.exec(i.message)?.[1]]).sort(), [
    ['label traefik.htpp.routers.web.rule on container c', 'warning', 'traefik.http'],
    ['label traefik.tpc.services.db.loadbalancer.server.port on container c', 'warning', 'traefik.tcp'],
  ]);
  assert.deepEqual(plain(decoded.config), {});
});

test('an element written "=true" exists with its defaults', () => {
  const decoded = decodeLabels({ 'traefik.udp.routers.dns': 'true', 'traefik.http.services.web': 'TRUE' }, 'traefik', 'c');
  assert.deepEqual(decoded.issues, []);
  assert.deepEqual(plain(decoded.config.udp?.routers), { dns: {} });
  assert.deepEqual(plain(decoded.config.http?.services?.['web']), { loadBalancer: { strategy: 'wrr', passHostHeader: true } });
});

test('a label key cannot reach Object.prototype', () => {
  const decoded = decodeLabels({ 'traefik.http.routers.__proto__.rule': 'Host(`x`)' }, 'traefik', 'c');
  assert.equal(({} as Record<string, unknown>)['rule'], undefined);
  assert.equal(Object.getPrototypeOf(decoded.config.http?.routers ?? {}), null);
});

test('an unknown key outside any element is a warning: the label is ignored, nothing is disabled', () => {
  const decoded = decodeLabels({ 'traefik.http.routrs.web.rule': 'Host(`a`)', 'traefik.http.routers.api.rule': 'Host(`b`)' }, 'traefik', 'c');
  assert.deepEqual(Object.keys(decoded.config.http?.routers ?? {}), ['api']);
  assert.equal(decoded.issues.length, 1);
  assert.equal(decoded.issues[0]?.severity, 'warning');
  assert.equal(decoded.issues[0]?.where, 'label traefik.http.routrs.web.rule on container c');
  assert.match(decoded.issues[0]?.message ?? '', /did you mean "routers"\?\); this label is ignored/);
});
