import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeLabel, labelText } from '../../src/observability/metrics/exposition.js';
import { PrometheusMetrics, type PrometheusSettings } from '../../src/observability/metrics/prometheus.js';
import { serversUp } from '../../src/observability/metrics/servers-up.js';

const SETTINGS: PrometheusSettings = {
  buckets: [0.5, 0.1, 1],
  addEntryPointsLabels: true,
  addRoutersLabels: true,
  addServicesLabels: true,
  headerLabels: undefined,
  addInternals: false,
};

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('label values are escaped as the text format requires', () => {
  assert.equal(escapeLabel('plain'), 'plain');
  assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.equal(labelText(['a', 'b'], ['x', 'y"'], 'le="1"'), '{a="x",b="y\\"",le="1"}');
  assert.equal(labelText([], []), '');
});

test('request series: counts, cumulative histogram over sorted buckets, bytes; one series per label set', async () => {
  const metrics = new PrometheusMetrics(SETTINGS);
  const web = metrics.entryPoint('web');
  assert.ok(web !== undefined);
  assert.equal(metrics.entryPoint('web'), web, 'scopes are resolved once and reused');
  web.record(200, 'GET', 'http', undefined, 0.05, 10, 100);
  web.record(200, 'GET', 'http', undefined, 0.7, 0, 50);
  web.record(200, 'GET', 'http', undefined, 3, 0, 0);
  web.record(404, 'GET', 'http', undefined, 0.01, 0, 19);
  const text = await metrics.render();
  const labels = 'code="200",method="GET",protocol="http",entrypoint="web"';
  assert.equal(value(text, `traefik_entrypoint_requests_total{${labels}}`), 3);
  assert.equal(value(text, `traefik_entrypoint_request_duration_seconds_bucket{${labels},le="0.1"}`), 1);
  assert.equal(value(text, `traefik_entrypoint_request_duration_seconds_bucket{${labels},le="0.5"}`), 1);
  assert.equal(value(text, `traefik_entrypoint_request_duration_seconds_bucket{${labels},le="1"}`), 2);
  assert.equal(value(text, `traefik_entrypoint_request_duration_seconds_bucket{${labels},le="+Inf"}`), 3);
  assert.equal(value(text, `traefik_entrypoint_request_duration_seconds_sum{${labels}}`), 3.75);
  assert.equal(value(text, `traefik_entrypoint_requests_bytes_total{${labels}}`), 10);
  assert.equal(value(text, `traefik_entrypoint_responses_bytes_total{${labels}}`), 150);
  assert.equal(value(text, 'traefik_entrypoint_requests_total{code="404",method="GET",protocol="http",entrypoint="web"}'), 1);
  assert.match(text, /^# TYPE traefik_entrypoint_requests_total counter$/m);
  assert.ok(text.endsWith('\n'));
});

test('labels off: no entrypoint, router or service series; routers are off by default in Traefik', () => {
  const metrics = new PrometheusMetrics({ ...SETTINGS, addEntryPointsLabels: false, addRoutersLabels: false, addServicesLabels: false });
  assert.equal(metrics.entryPoint('web'), undefined);
  assert.equal(metrics.router('r@file', 's@file'), undefined);
  assert.equal(metrics.service('s@file'), undefined);
});

test('headerLabels add one label per configured header', async () => {
  const metrics = new PrometheusMetrics({ ...SETTINGS, headerLabels: { useragent: 'User-Agent', tenant: 'X-Tenant' } });
  const extra = metrics.headerValues({ 'user-agent': 'curl', 'x-tenant': 'acme' });
  metrics.service('s@file')?.record(200, 'GET', 'http', extra, 0.2, 0, 0);
  assert.equal(value(await metrics.render(), 'traefik_service_requests_total{code="200",method="GET",protocol="http",useragent="curl",tenant="acme",service="s@file"}'), 1);
});

test('reloads are counted; series of routers and services that left the configuration are dropped', async () => {
  const metrics = new PrometheusMetrics(SETTINGS);
  metrics.router('gone@file', 's@file')?.record(200, 'GET', 'http', undefined, 0.1, 0, 0);
  metrics.router('kept@file', 's@file')?.record(200, 'GET', 'http', undefined, 0.1, 0, 0);
  metrics.service('gone@file')?.record(200, 'GET', 'http', undefined, 0.1, 0, 0);
  metrics.retried('gone@file', 2);
  metrics.configReloaded(new Set(['kept@file']), new Set(['s@file']), 1_700_000_000_500);
  const text = await metrics.render();
  assert.equal(value(text, 'traefik_config_reloads_total'), 1);
  assert.equal(value(text, 'traefik_config_last_reload_success'), 1_700_000_000);
  assert.doesNotMatch(text, /gone@file/);
  assert.match(text, /router="kept@file",service="s@file"/);
});

test('server up gauge from a graph status and the health registry', async () => {
  const status = {
    elements: new Map([
      ['http.services/a@file', { section: 'http.services', name: 'a@file', status: 'enabled', config: { loadBalancer: { servers: [{ url: 'http://a:1' }, { url: 'http://a:2' }] } } }],
      ['http.services/off@file', { section: 'http.services', name: 'off@file', status: 'disabled', config: { loadBalancer: { servers: [{ url: 'http://x:1' }] } } }],
      ['http.services/w@file', { section: 'http.services', name: 'w@file', status: 'enabled', config: { weighted: { services: [] } } }],
    ]),
  };
  const health = new Map<string, 'UP' | 'DOWN'>([['http://a:2', 'DOWN']]);
  assert.deepEqual([...serversUp(status, health)], [{ service: 'a@file', url: 'http://a:1', up: true }, { service: 'a@file', url: 'http://a:2', up: false }]);
  const metrics = new PrometheusMetrics(SETTINGS);
  metrics.setGaugeSources({ openConnections: async () => [{ entryPoint: 'web', count: 3 }], serversUp: () => serversUp(status, health) });
  const text = await metrics.render();
  assert.equal(value(text, 'traefik_open_connections{entrypoint="web",protocol="TCP"}'), 3);
  assert.equal(value(text, 'traefik_service_server_up{service="a@file",url="http://a:2"}'), 0);
});
