import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../src/config/dynamic/model.js';
import type { ConfigIssue } from '../../src/errors/config-issue.js';
import { parseDynamicFiles } from '../../src/providers/file/parse.js';
import { deepFreeze } from '../../src/util/deep-freeze.js';
import { mergeProviders, type ProviderState } from '../../src/watcher/merge.js';

/** A provider's configuration, decoded from YAML with the real model. */
function config(yaml: string): DynamicConfig {
  const parsed = parseDynamicFiles([{ name: 'test.yml', text: yaml }]);
  assert.deepEqual(parsed.issues, [], yaml);
  return parsed.config as DynamicConfig;
}

const plain = (value: unknown): any => JSON.parse(JSON.stringify(value));

function merge(providers: Record<string, ProviderState['config'] | ProviderState>) {
  const latest = new Map<string, ProviderState>();
  for (const [name, value] of Object.entries(providers)) latest.set(name, 'issues' in value ? (value as ProviderState) : { config: value as ProviderState['config'], issues: [] });
  return mergeProviders(latest);
}

test('HTTP: elements are keyed name@provider and every reference is qualified unless it has an @', () => {
  const { config: merged, issues } = merge({
    file: config(`
http:
  routers:
    web:
      rule: Host(\`a.test\`)
      service: app
      middlewares: [auth, compress@docker]
      tls: { options: modern, certResolver: le }
    api:
      rule: Host(\`b.test\`)
      service: api@internal
      tls: { options: default }
  middlewares:
    auth: { chain: { middlewares: [strip, headers@docker] } }
    oops: { errors: { status: ["500"], service: pages } }
    strip: { stripPrefix: { prefixes: [/a] } }
  services:
    app:
      loadBalancer: { servers: [{ url: "http://127.0.0.1:1" }], serversTransport: fast }
      middlewares: [strip]
    split: { weighted: { services: [{ name: app, weight: 1 }, { name: other@docker, weight: 2 }] } }
    copy: { mirroring: { service: app, mirrors: [{ name: shadow, percent: 10 }] } }
    safe: { failover: { service: app, fallback: backup@docker } }
    hash: { highestRandomWeight: { services: [{ name: app }] } }
  serversTransports:
    fast: { insecureSkipVerify: true }
`),
  });
  assert.deepEqual(issues, []);
  const http = plain(merged.http);
  assert.deepEqual(Object.keys(http.routers).sort(), ['api@file', 'web@file']);
  assert.deepEqual(http.routers['web@file'].service, 'app@file');
  assert.deepEqual(http.routers['web@file'].middlewares, ['auth@file', 'compress@docker']);
  assert.deepEqual(http.routers['web@file'].tls, { options: 'modern@file', certResolver: 'le' });
  assert.equal(http.routers['api@file'].service, 'api@internal');
  assert.equal(http.routers['api@file'].tls.options, 'default');
  assert.deepEqual(http.middlewares['auth@file'].chain.middlewares, ['strip@file', 'headers@docker']);
  assert.equal(http.middlewares['oops@file'].errors.service, 'pages@file');
  assert.equal(http.services['app@file'].loadBalancer.serversTransport, 'fast@file');
  assert.deepEqual(http.services['app@file'].middlewares, ['strip@file']);
  assert.deepEqual(http.services['split@file'].weighted.services.map((s: { name: string }) => s.name), ['app@file', 'other@docker']);
  assert.equal(http.services['copy@file'].mirroring.service, 'app@file');
  assert.equal(http.services['copy@file'].mirroring.mirrors[0].name, 'shadow@file');
  assert.deepEqual([http.services['safe@file'].failover.service, http.services['safe@file'].failover.fallback], ['app@file', 'backup@docker']);
  assert.equal(http.services['hash@file'].highestRandomWeight.services[0].name, 'app@file');
  assert.deepEqual(Object.keys(http.serversTransports), ['fast@file']);
});

test('TCP and UDP: routers, weighted services and serversTransports are qualified', () => {
  const { config: merged } = merge({
    docker: config(`
tcp:
  routers:
    db: { rule: "HostSNI(\`*\`)", service: pg, middlewares: [allow], tls: { options: strict } }
  services:
    pg: { loadBalancer: { servers: [{ address: "127.0.0.1:5432" }], serversTransport: tcpfast } }
    both: { weighted: { services: [{ name: pg }, { name: x@file }] } }
  middlewares:
    allow: { ipAllowList: { sourceRange: [127.0.0.1/32] } }
  serversTransports:
    tcpfast: { dialTimeout: 1s }
udp:
  routers:
    dns: { service: resolver }
  services:
    resolver: { loadBalancer: { servers: [{ address: "127.0.0.1:53" }] } }
    pair: { weighted: { services: [{ name: resolver }] } }
`),
  });
  const { tcp, udp } = plain(merged);
  assert.deepEqual(tcp.routers['db@docker'], { rule: 'HostSNI(`*`)', service: 'pg@docker', middlewares: ['allow@docker'], tls: { passthrough: false, options: 'strict@docker' } });
  assert.equal(tcp.services['pg@docker'].loadBalancer.serversTransport, 'tcpfast@docker');
  assert.deepEqual(tcp.services['both@docker'].weighted.services.map((s: { name: string }) => s.name), ['pg@docker', 'x@file']);
  assert.deepEqual(Object.keys(tcp.middlewares), ['allow@docker']);
  assert.deepEqual(Object.keys(tcp.serversTransports), ['tcpfast@docker']);
  assert.equal(udp.routers['dns@docker'].service, 'resolver@docker');
  assert.equal(udp.services['pair@docker'].weighted.services[0].name, 'resolver@docker');
});

test('TLS: options and stores are qualified except "default"; certificates are concatenated in provider name order', () => {
  const { config: merged, issues } = merge({
    zeta: config('tls:\n  certificates: [{ certFile: z.crt, keyFile: z.key }]\n  options:\n    modern: { minVersion: VersionTLS13 }\n'),
    alpha: config('tls:\n  certificates: [{ certFile: a.crt, keyFile: a.key }]\n  options:\n    default: { sniStrict: true }\n  stores:\n    default: {}\n    extra: {}\n'),
  });
  assert.deepEqual(issues, []);
  const tls = plain(merged.tls);
  assert.deepEqual(tls.certificates.map((c: { certFile: string }) => c.certFile), ['a.crt', 'z.crt']);
  assert.deepEqual(Object.keys(tls.options).sort(), ['default', 'modern@zeta']);
  assert.deepEqual(Object.keys(tls.stores).sort(), ['default', 'extra@alpha']);
});

test('the default TLS options or store defined by two providers: the first by name wins, the other is reported', () => {
  const { config: merged, issues } = merge({
    file: config('tls:\n  options:\n    default: { minVersion: VersionTLS13 }\n  stores:\n    default: {}\n'),
    docker: config('tls:\n  options:\n    default: { minVersion: VersionTLS12 }\n'),
    zed: config('tls:\n  stores:\n    default: {}\n'),
  });
  assert.equal(plain(merged.tls).options.default.minVersion, 'VersionTLS12');
  assert.deepEqual(issues.map((i) => [i.code, i.severity, i.where]), [
    ['BERTH_ERR_DUPLICATE_ELEMENT', 'error', 'tls.options.default from provider file'],
    ['BERTH_ERR_DUPLICATE_ELEMENT', 'error', 'tls.stores.default from provider zed'],
  ]);
  assert.match(issues[0]?.message ?? '', /providers "docker" and "file"; the one from "docker" is used/);
});

test('issues keep their source and get qualified element names', () => {
  const own: ConfigIssue[] = [
    { code: 'BERTH_ERR_UNKNOWN_KEY', severity: 'error', where: 'dynamic/app.yml:5: http.routers.web.servce', message: 'm', element: { section: 'http.routers', name: 'web' } },
    { code: 'BERTH_ERR_YAML_SYNTAX', severity: 'error', where: 'dynamic/b.yml:1:1', message: 'm' },
    { code: 'BERTH_ERR_DOCKER_LABEL', severity: 'error', where: 'label x', message: 'm', element: { section: 'http.services', name: 'already@docker' } },
  ];
  const { issues } = merge({ file: { config: {}, issues: own } });
  assert.deepEqual(issues.map((i) => i.element?.name), ['web@file', undefined, 'already@docker']);
  assert.deepEqual(issues.map((i) => i.where), own.map((i) => i.where));
});

test('the same name in two providers gives two elements; inputs are left untouched; maps have no prototype', () => {
  const file = deepFreeze(config('http:\n  routers:\n    web: { rule: "Host(`a.test`)", service: app }\n'));
  const docker = deepFreeze(config('http:\n  routers:\n    web: { rule: "Host(`b.test`)", service: app }\n    constructor: { rule: "Host(`c.test`)" }\n'));
  const before = plain(file);
  const { config: merged } = merge({ file, docker });
  assert.deepEqual(plain(file), before);
  const routers = merged.http?.routers ?? {};
  assert.deepEqual(Object.keys(routers).sort(), ['constructor@docker', 'web@docker', 'web@file']);
  assert.equal(routers['web@docker']?.service, 'app@docker');
  assert.equal(Object.getPrototypeOf(routers), null);
  assert.equal(routers['constructor'], undefined);
});

test('no providers: an empty configuration with every section present', () => {
  const { config: merged, issues } = mergeProviders(new Map());
  assert.deepEqual(issues, []);
  assert.deepEqual(plain(merged), {
    http: { routers: {}, services: {}, middlewares: {}, serversTransports: {} },
    tcp: { routers: {}, services: {}, middlewares: {}, serversTransports: {} },
    udp: { routers: {}, services: {} },
    tls: { certificates: [], options: {}, stores: {} },
  });
});
