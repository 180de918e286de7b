import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeExpositions } from '../../src/observability/metrics/merge.js';

const worker = (requests: number, seconds: number, connections: number, reloads: number, up: number): string => [
  '# HELP traefik_entrypoint_requests_total How many HTTP requests processed on an entrypoint.',
  '# TYPE traefik_entrypoint_requests_total counter',
  `traefik_entrypoint_requests_total{code="200",entrypoint="web",method="GET",protocol="http"} ${requests}`,
  '# HELP traefik_entrypoint_request_duration_seconds How long it took.',
  '# TYPE traefik_entrypoint_request_duration_seconds histogram',
  `traefik_entrypoint_request_duration_seconds_bucket{entrypoint="web",le="0.1"} ${requests}`,
  `traefik_entrypoint_request_duration_seconds_bucket{entrypoint="web",le="+Inf"} ${requests}`,
  `traefik_entrypoint_request_duration_seconds_sum{entrypoint="web"} ${seconds}`,
  `traefik_entrypoint_request_duration_seconds_count{entrypoint="web"} ${requests}`,
  '# HELP traefik_open_connections How many open connections exist.',
  '# TYPE traefik_open_connections gauge',
  `traefik_open_connections{entrypoint="web",protocol="TCP"} ${connections}`,
  '# HELP traefik_config_reloads_total Config reloads',
  '# TYPE traefik_config_reloads_total counter',
  `traefik_config_reloads_total ${reloads}`,
  '# HELP traefik_service_server_up service server is up.',
  '# TYPE traefik_service_server_up gauge',
  `traefik_service_server_up{service="app@file",url="http://127.0.0.1:1"} ${up}`,
  '',
].join('\n');

test('traffic adds up across workers; what every worker sees alike is not multiplied', () => {
  const merged = mergeExpositions([worker(3, 0.25, 2, 4, 1), worker(5, 0.5, 1, 4, 1)]);
  assert.equal(merged, worker(8, 0.75, 3, 4, 1));
});

test('a series only one worker has is kept; a worker that did not answer changes nothing', () => {
  const extra = '# HELP traefik_service_retries_total Retries\n# TYPE traefik_service_retries_total counter\ntraefik_service_retries_total{service="a@file"} 2\n';
  const merged = mergeExpositions([worker(1, 0.1, 0, 2, 0), '', extra]);
  assert.equal(merged, worker(1, 0.1, 0, 2, 0) + extra);
  assert.equal(mergeExpositions([]), '');
});
