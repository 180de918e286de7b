import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBackend, type Backend } from '../helpers/backend.js';
import { freePort } from '../helpers/ports.js';
import { startBerth, type StartedBerth } from '../helpers/start-berth.js';
import { waitFor } from '../helpers/wait-for.js';
import { getHost, http } from './http.js';

function dynamicFor(backend: Backend, refusedPort: number): string {
  return `
http:
  routers:
    app: { rule: "Host(\`app.test\`)", service: app }
    flaky: { rule: "Host(\`flaky.test\`)", service: flaky, middlewares: [again] }
  middlewares:
    again: { retry: { attempts: 2 } }
  services:
    app: { loadBalancer: { servers: [{ url: "${backend.url}" }] } }
    flaky:
      loadBalancer:
        servers: [{ url: "http://127.0.0.1:${refusedPort}" }, { url: "${backend.url}" }]
`;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

describe('access log (json, to a file) and Prometheus metrics', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  let backend: Backend;
  let logFile: string;
  let logDir: string;

  before(async () => {
    backend = await startBackend('app');
    const refusedPort = await freePort();
    logDir = await mkdtemp(join(tmpdir(), 'berth-access-'));
    logFile = join(logDir, 'logs', 'access.log');
    berth = await startBerth({
      staticYaml: `
entryPoints:
  web: { address: "127.0.0.1:0" }
  traefik: { address: "127.0.0.1:0" }
metrics:
  prometheus:
    buckets: [0.05, 0.5, 2]
    addRoutersLabels: true
accessLog:
  filePath: ${JSON.stringify(logFile)}
  format: json
  fields:
    headers:
      names: { User-Agent: keep, Authorization: redact }
`,
      dynamic: { 'app.yml': dynamicFor(backend, refusedPort) },
    });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it('writes a JSON line with Traefik field names for a 200 and for a 404', async () => {
    const ok = await http(berth.url('web', '/hello?x=1'), { headers: { host: 'app.test:8000', 'user-agent': 'it-agent', authorization: 'Basic dXNlcjpwdw==' } });
    assert.equal(ok.status, 200);
    assert.equal((await getHost(berth.url('web', '/nothing'), 'nobody.test')).status, 404);
    const lines = await waitFor(() => (readLines(logFile).length >= 2 ? readLines(logFile) : undefined), 3000, 'two access log lines');
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first['RouterName'], 'app@file');
    assert.equal(first['ServiceName'], 'app@file');
    assert.equal(first['ServiceURL'], backend.url);
    assert.equal(first['ServiceAddr'], `127.0.0.1:${backend.port}`);
    assert.equal(first['DownstreamStatus'], 200);
    assert.equal(first['OriginStatus'], 200);
    assert.ok((first['DownstreamContentSize'] as number) > 0);
    assert.equal(first['RequestMethod'], 'GET');
    assert.equal(first['RequestPath'], '/hello?x=1');
    assert.equal(first['RequestProtocol'], 'HTTP/1.1');
    assert.equal(first['RequestScheme'], 'http');
    assert.equal(first['RequestAddr'], 'app.test:8000');
    assert.equal(first['RequestHost'], 'app.test');
    assert.equal(first['RequestPort'], '8000');
    assert.equal(first['ClientHost'], '127.0.0.1');
    assert.equal(typeof first['ClientPort'], 'string');
    assert.equal(first['ClientUsername'], 'user');
    assert.equal(first['RetryAttempts'], 0);
    assert.ok(typeof first['Duration'] === 'number' && first['Duration'] > 0);
    assert.match(String(first['StartUTC']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.equal(first['request_User-Agent'], 'it-agent');
    assert.equal(first['request_Authorization'], 'REDACTED');
    assert.equal(first['request_Accept'], undefined, 'other headers are dropped by default');
    assert.equal(first['level'], 'info');

    assert.equal(second['DownstreamStatus'], 404);
    assert.equal(second['RouterName'], undefined, 'unmatched requests are logged without a router');
    assert.equal(second['OriginStatus'], undefined);
    assert.equal(second['RequestCount'], (first['RequestCount'] as number) + 1);
  });

  it('counts retries in RetryAttempts and traefik_service_retries_total', async () => {
    const before = readLines(logFile).length;
    assert.equal((await getHost(berth.url('web'), 'flaky.test')).status, 200);
    const line = await waitFor(() => readLines(logFile)[before], 3000, 'the retried request in the access log');
    const fields = JSON.parse(line) as Record<string, unknown>;
    assert.equal(fields['RetryAttempts'], 1);
    assert.equal(fields['DownstreamStatus'], 200);
    const metrics = (await http(berth.url('traefik', '/metrics'))).text;
    assert.match(metrics, /^traefik_service_retries_total\{service="flaky@file"\} 1$/m);
  });

  it('serves Traefik-named metrics at /metrics on the traefik entrypoint', async () => {
    for (let i = 0; i < 3; i++) await getHost(berth.url('web'), 'app.test');
    const reply = await http(berth.url('traefik', '/metrics'));
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = reply.text;
    const count = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? NaN);
    assert.ok(count(/^traefik_entrypoint_requests_total\{code="200",method="GET",protocol="http",entrypoint="web"\} (\d+)$/m) >= 4);
    assert.ok(count(/^traefik_router_requests_total\{code="200",method="GET",protocol="http",router="app@file",service="app@file"\} (\d+)$/m) >= 4);
    assert.ok(count(/^traefik_service_requests_total\{code="200",method="GET",protocol="http",service="app@file"\} (\d+)$/m) >= 4);
    assert.equal(count(/^traefik_entrypoint_requests_total\{code="404",method="GET",protocol="http",entrypoint="web"\} (\d+)$/m), 1);
    // The configured buckets, cumulative, ending with +Inf = count.
    const total = count(/^traefik_service_request_duration_seconds_count\{code="200",method="GET",protocol="http",service="app@file"\} (\d+)$/m);
    assert.equal(count(/^traefik_service_request_duration_seconds_bucket\{code="200",method="GET",protocol="http",service="app@file",le="\+Inf"\} (\d+)$/m), total);
    for (const le of ['0.05', '0.5', '2']) assert.match(text, new RegExp(`traefik_service_request_duration_seconds_bucket\\{[^}]*service="app@file",le="${le.replace('.', '\\.')}"\\} \\d+`));
    assert.ok(count(/^traefik_service_responses_bytes_total\{code="200",method="GET",protocol="http",service="app@file"\} (\d+)$/m) > 0);
    assert.match(text, /^# TYPE traefik_entrypoint_request_duration_seconds histogram$/m);
    assert.ok(count(/^traefik_config_reloads_total (\d+)$/m) >= 1);
    assert.ok(Math.abs(count(/^traefik_config_last_reload_success (\d+)$/m) - Date.now() / 1000) < 120);
    assert.ok(count(/^traefik_open_connections\{entrypoint="traefik",protocol="TCP"\} (\d+)$/m) >= 1, 'the scrape itself is open');
    assert.equal(count(new RegExp(`^traefik_service_server_up\\{service="app@file",url="${backend.url.replaceAll('.', '\\.')}"\\} (\\d+)$`, 'm')), 1);
    // Berth's own routers are not measured unless metrics.addInternals.
    assert.doesNotMatch(text, /prometheus@internal/);
  });

  it('reopens the file after it was moved away (SIGUSR1)', async () => {
    const moved = `${logFile}.1`;
    renameSync(logFile, moved);
    berth.berth.reopenAccessLog();
    await getHost(berth.url('web', '/after-rotation'), 'app.test');
    const line = await waitFor(() => readLines(logFile)[0], 3000, 'a line in the new file');
    assert.equal((JSON.parse(line) as Record<string, unknown>)['RequestPath'], '/after-rotation');
    assert.ok(readLines(moved).length >= 2);
  });
});

describe('access log (common format, filters) to standard output', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  let backend: Backend;

  before(async () => {
    backend = await startBackend('app');
    berth = await startBerth({
      staticYaml: `
entryPoints:
  web: { address: "127.0.0.1:0" }
accessLog:
  filters:
    statusCodes: ["200-299", "404"]
  fields:
    headers:
      defaultMode: keep
`,
      dynamic: { 'app.yml': dynamicFor(backend, await freePort()) },
    });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
  });

  it('writes Traefik CLF lines for a 200 and a 404, and filters out other statuses', async () => {
    await http(berth.url('web', '/a?b=c'), { headers: { host: 'app.test', 'user-agent': 'clf-agent', referer: 'http://ref.test/' } });
    await http(berth.url('web', '/missing'), { headers: { host: 'nobody.test', 'user-agent': 'clf-agent' } });
    await http(berth.url('web', '/bad%zz'), { headers: { host: 'app.test' } });
    const lines = await waitFor(() => (berth.accessLines.length >= 2 ? berth.accessLines : undefined), 3000, 'two CLF lines');
    const time = String.raw`\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\]`;
    assert.match(lines[0] ?? '', new RegExp(`^127\\.0\\.0\\.1 - - ${time} "GET /a\\?b=c HTTP/1\\.1" 200 \\d+ "http://ref\\.test/" "clf-agent" \\d+ "app@file" "${backend.url.replaceAll('.', '\\.')}" \\d+ms$`));
    assert.match(lines[1] ?? '', new RegExp(`^127\\.0\\.0\\.1 - - ${time} "GET /missing HTTP/1\\.1" 404 19 "-" "clf-agent" \\d+ "-" "-" \\d+ms$`));
    // The 400 (a bad escape) is filtered out: statusCodes keeps 2xx and 404 only.
    await http(berth.url('web', '/last'), { headers: { host: 'app.test' } });
    await waitFor(() => berth.accessLines.length >= 3, 3000, 'the third line');
    assert.equal(berth.accessLines.length, 3);
    assert.match(berth.accessLines[2] ?? '', /"GET \/last HTTP\/1\.1" 200 /);
  });
});
