import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { AccessLogConfig } from '../../src/config/static/schema.js';
import { AccessLog } from '../../src/observability/access-log/access-log.js';
import { FieldPolicy, lineFields } from '../../src/observability/access-log/fields.js';
import { clfLine } from '../../src/observability/access-log/formats.js';
import { basicUser, canonicalHeaderName, clfTime, splitHostPort, type AccessRecord } from '../../src/observability/access-log/record.js';
import { silentLogger } from '../../src/observability/logger.js';
import { loadOk } from '../config/static/load-helper.js';

const START = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

function record(overrides: Partial<AccessRecord> = {}): AccessRecord {
  return {
    startMs: START,
    durationNs: 2_345_678,
    routerName: 'app@docker',
    serviceName: 'app@docker',
    serviceUrl: 'http://10.0.0.2:80',
    clientIp: '192.0.2.7',
    clientPort: 51234,
    trustedForwarded: false,
    clientUsername: '',
    requestAddr: 'app.test',
    method: 'GET',
    path: '/a?b=c',
    protocol: 'HTTP/1.1',
    scheme: 'http',
    requestContentSize: 0,
    status: 200,
    downstreamContentSize: 42,
    retryAttempts: 0,
    requestCount: 7,
    tlsVersion: '',
    tlsCipher: '',
    requestHeaders: { 'user-agent': 'curl/8', referer: 'http://r.test/', authorization: 'Basic x', 'x-forwarded-for': '203.0.113.1' },
    responseHeaders: { 'content-type': 'text/plain' },
    ...overrides,
  };
}

/** The accessLog section as the static loader decodes it from flags. */
function settings(flags: string[] = []): AccessLogConfig {
  const config = loadOk({ argv: ['--entryPoints.web.address=:80', '--accessLog', ...flags] }).config.accessLog;
  assert.ok(config !== undefined);
  return config;
}

test('helpers: CLF time, canonical header names, host:port, Basic user', () => {
  assert.equal(clfTime(START), '02/Jan/2024:03:04:05 +0000');
  assert.equal(canonicalHeaderName('user-agent'), 'User-Agent');
  assert.equal(canonicalHeaderName('x-forwarded-for'), 'X-Forwarded-For');
  assert.deepEqual(splitHostPort('app.test:8080'), { host: 'app.test', port: '8080' });
  assert.deepEqual(splitHostPort('app.test'), { host: 'app.test', port: '-' });
  assert.deepEqual(splitHostPort('[::1]:443'), { host: '::1', port: '443' });
  assert.deepEqual(splitHostPort('::1'), { host: '::1', port: '-' });
  assert.equal(basicUser(`Basic ${Buffer.from('alice:secret').toString('base64')}`), 'alice');
  assert.equal(basicUser('Bearer abc'), '');
  assert.equal(basicUser(undefined), '');
});

test('fields: Traefik names and types; dropped fields and headers; redaction', () => {
  const all = lineFields(record(), new FieldPolicy(settings().fields));
  assert.equal(all['StartUTC'], '2024-01-02T03:04:05.678Z');
  assert.equal(all['Duration'], 2_345_678);
  assert.equal(all['ClientAddr'], '192.0.2.7:51234');
  assert.equal(all['ClientPort'], '51234');
  assert.equal(all['ClientUsername'], '-');
  assert.equal(all['ClientHost'], '192.0.2.7', 'an untrusted X-Forwarded-For is not the client');
  assert.equal(all['ServiceAddr'], '10.0.0.2:80');
  assert.equal(all['RequestPort'], '-');
  assert.equal(all['OriginStatus'], 200);
  assert.equal(all['request_User-Agent'], undefined, 'headers are dropped by default');

  const trusted = lineFields(record({ trustedForwarded: true }), new FieldPolicy(settings().fields));
  assert.equal(trusted['ClientHost'], '203.0.113.1');

  const policy = new FieldPolicy(settings(['--accessLog.fields.names.ClientPort=drop', '--accessLog.fields.headers.defaultMode=keep', '--accessLog.fields.headers.names.Authorization=redact', '--accessLog.fields.headers.names.referer=drop']).fields);
  const fields = lineFields(record(), policy);
  assert.equal(fields['ClientPort'], undefined);
  assert.equal(fields['ClientHost'], '192.0.2.7');
  assert.equal(fields['request_User-Agent'], 'curl/8');
  assert.equal(fields['request_Authorization'], 'REDACTED');
  assert.equal(fields['request_Referer'], undefined);
  assert.equal(fields['downstream_Content-Type'], 'text/plain');

  const dropped = lineFields(record(), new FieldPolicy(settings(['--accessLog.fields.defaultMode=drop', '--accessLog.fields.names.RouterName=keep']).fields));
  assert.deepEqual(Object.keys(dropped), ['RouterName']);
});

test('CLF and generic CLF lines, with "-" for what is missing', () => {
  const keepHeaders = new FieldPolicy(settings(['--accessLog.fields.headers.defaultMode=keep']).fields);
  const line = clfLine(lineFields(record(), keepHeaders), record(), false);
  assert.equal(line, '192.0.2.7 - - [02/Jan/2024:03:04:05 +0000] "GET /a?b=c HTTP/1.1" 200 42 "http://r.test/" "curl/8" 7 "app@docker" "http://10.0.0.2:80" 2ms\n');
  assert.equal(clfLine(lineFields(record(), keepHeaders), record(), true), '192.0.2.7 - - [02/Jan/2024:03:04:05 +0000] "GET /a?b=c HTTP/1.1" 200 42 "http://r.test/" "curl/8"\n');
  const unmatched = record({ routerName: '', serviceName: '', serviceUrl: '', status: 404, downstreamContentSize: 19, clientUsername: 'bob' });
  assert.equal(clfLine(lineFields(unmatched, new FieldPolicy(settings().fields)), unmatched, false), '192.0.2.7 - bob [02/Jan/2024:03:04:05 +0000] "GET /a?b=c HTTP/1.1" 404 19 "-" "-" 7 "-" "-" 2ms\n');
});

test('filters keep a line when any of them matches; an empty filters section keeps everything', () => {
  const options = { logger: silentLogger(), stdout: new PassThrough() };
  const none = new AccessLog(settings(), options);
  assert.equal(none.accepts(500, 0, 1), true);
  const empty = new AccessLog(settings(['--accessLog.filters.retryAttempts=false']), options);
  assert.equal(empty.accepts(200, 0, 1), true);
  const filtered = new AccessLog(settings(['--accessLog.filters.statusCodes=404,500-599', '--accessLog.filters.retryAttempts', '--accessLog.filters.minDuration=100ms']), options);
  assert.equal(filtered.accepts(200, 0, 50), false);
  assert.equal(filtered.accepts(404, 0, 50), true);
  assert.equal(filtered.accepts(503, 0, 50), true);
  assert.equal(filtered.accepts(200, 1, 50), true);
  assert.equal(filtered.accepts(200, 0, 150), true);
});

test('bufferingSize batches lines into one write', async () => {
  const out = new PassThrough();
  const writes: string[] = [];
  out.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
  const log = new AccessLog(settings(['--accessLog.bufferingSize=3', '--accessLog.format=json']), { logger: silentLogger(), stdout: out });
  log.write(record());
  log.write(record({ path: '/second' }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 0);
  log.write(record({ path: '/third' }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1);
  const lines = (writes[0] ?? '').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines.map((l) => l['RequestPath']), ['/a?b=c', '/second', '/third']);
  // Keys are sorted, as logrus writes them.
  const keys = Object.keys(lines[0] ?? {});
  assert.deepEqual(keys, [...keys].sort());
  log.write(record({ path: '/closing' }));
  await log.close();
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(writes[1] ?? '', /\/closing/);
});

test('a file that cannot be opened is a start-up error naming the path', async () => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'berth-al-'));
  try {
    await writeFile(join(dir, 'plain-file'), '');
    const path = join(dir, 'plain-file', 'access.log');
    assert.throws(() => new AccessLog(settings([`--accessLog.filePath=${path}`]), { logger: silentLogger() }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'BERTH_ERR_STATIC_CONFIG');
      assert.match(err.message, /accessLog\.filePath: cannot open .*plain-file\/access\.log/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
