import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEntryPointAddress } from '../../../src/config/static/address.js';
import { MAX_PRIORITY, REDIRECTION_PRIORITY } from '../../../src/config/static/entry-points.js';
import { loadIssues, loadOk } from './load-helper.js';

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('an entryPoint gets every Traefik default', () => {
  const { config } = loadOk({ argv: ['--entryPoints.web.address=:80'] });
  assert.deepEqual(plain(config.entryPoints['web']), {
    address: ':80',
    asDefault: false,
    allowACMEByPass: false,
    reusePort: false,
    forwardedHeaders: { trustedIPs: [], insecure: false, connection: [], notAppendXForwardedFor: false, addXForwardedSchemeHeaders: false },
    transport: {
      respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 },
      lifeCycle: { requestAcceptGraceTimeout: 0, graceTimeOut: 10_000 },
      keepAliveMaxRequests: 0,
      keepAliveMaxTime: 0,
    },
    http: {
      middlewares: [],
      encodedCharacters: {
        allowEncodedSlash: true, allowEncodedBackSlash: true, allowEncodedNullCharacter: true, allowEncodedSemicolon: true,
        allowEncodedPercent: true, allowEncodedQuestionMark: true, allowEncodedHash: true,
      },
      encodeQuerySemicolons: false,
      sanitizePath: true,
      maxHeaderBytes: 1_048_576,
      underscoreHeadersStrategy: 'keep',
    },
    http2: { maxConcurrentStreams: 250, maxDecoderHeaderTableSize: 4096, maxEncoderHeaderTableSize: 4096 },
    udp: { timeout: 3_000 },
    observability: { accessLogs: true, metrics: true, tracing: true, traceVerbosity: 'minimal' },
  });
});

test('global defaults: providers, transports, log, workers; optional sections stay absent', () => {
  const { config } = loadOk({ argv: ['--entryPoints.web.address=:80'] });
  assert.deepEqual(plain(config.providers), { providersThrottleDuration: 2_000 });
  assert.deepEqual(plain(config.serversTransport), {
    insecureSkipVerify: false, rootCAs: [], maxIdleConnsPerHost: 200,
    forwardingTimeouts: { dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 },
  });
  assert.deepEqual(plain(config.tcpServersTransport), { dialTimeout: 30_000, dialKeepAlive: 15_000, terminationDelay: 100 });
  assert.deepEqual(plain(config.log), { level: 'ERROR', format: 'common', noColor: false });
  assert.equal(config.workers, 'auto');
  assert.deepEqual(plain(config.certificatesResolvers), {});
  for (const key of ['api', 'ping', 'metrics', 'accessLog', 'demo'] as const) assert.equal(config[key], undefined, key);
});

test('api, ping, metrics and accessLog defaults', () => {
  const { config } = loadOk({ argv: ['--api', '--ping', '--metrics.prometheus', '--accessLog.filters.statusCodes=200,300-302'] });
  assert.deepEqual(plain(config.api), { insecure: false, dashboard: true, debug: false, basePath: '/', disableDashboardAd: false });
  assert.deepEqual(plain(config.metrics), {
    addInternals: false,
    prometheus: {
      entryPoint: 'traefik', manualRouting: false, buckets: [0.1, 0.3, 1.2, 5.0],
      addEntryPointsLabels: true, addRoutersLabels: false, addServicesLabels: true,
    },
  });
  assert.deepEqual(plain(config.accessLog), {
    format: 'common', bufferingSize: 0, addInternals: false,
    filters: { statusCodes: ['200', '300-302'], retryAttempts: false, minDuration: 0 },
    fields: { defaultMode: 'keep', headers: { defaultMode: 'drop' } },
  });
});

test('entryPoint addresses: [host]:port[/tcp|/udp]', () => {
  const valid: Array<[string, { host: string; port: number; protocol: string }]> = [
    [':80', { host: '', port: 80, protocol: 'tcp' }],
    ['0.0.0.0:8080/tcp', { host: '0.0.0.0', port: 8080, protocol: 'tcp' }],
    [':53/UDP', { host: '', port: 53, protocol: 'udp' }],
    ['[::1]:443', { host: '::1', port: 443, protocol: 'tcp' }],
    ['[::]:443/udp', { host: '::', port: 443, protocol: 'udp' }],
    ['localhost:9000', { host: 'localhost', port: 9000, protocol: 'tcp' }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0, protocol: 'tcp' }],
  ];
  for (const [address, want] of valid) assert.deepEqual(parseEntryPointAddress(address), want, address);
  const invalid: Array<[string, RegExp]> = [
    ['80', /has no port/],
    [':http', /not a port number/],
    [':70000', /not a port number/],
    ['::1:80', /IPv6 host needs brackets/],
    [':80/sctp', /invalid protocol "sctp"/],
    ['bad host:80', /neither an IP address nor a host name/],
    ['[::1]80', /expected "\[ipv6\]:port"/],
    ['[nope]:80', /not an IPv6 address/],
  ];
  for (const [address, message] of invalid) {
    const parsed = parseEntryPointAddress(address);
    assert.ok('error' in parsed, address);
    assert.match(parsed.error, message, address);
  }
  const issues = loadIssues({ argv: ['--entryPoints.web.address=80'] });
  assert.equal(issues[0]?.where, 'flag --entryPoints.web.address');
  assert.equal(issues[0]?.code, 'BERTH_ERR_INVALID_VALUE');
});

test('value checks: trusted IPs, workers, demo address, basePath, status codes, enums', () => {
  assert.equal(loadOk({ argv: ['--workers=0'] }).config.workers, 0);
  assert.equal(loadOk({ argv: ['--workers=4'] }).config.workers, 4);
  assert.equal(loadOk({ argv: ['--workers=AUTO'] }).config.workers, 'auto');
  assert.equal(loadOk({ files: { '/srv/berth.yml': 'workers: 2\nlog:\n  format: JSON\naccessLog:\n  format: genericclf\n' } }).config.workers, 2);
  const bad: Array<[string, RegExp]> = [
    ['--workers=-1', /expected an integer >= 0 or "auto"/],
    ['--workers=1.5', /expected an integer >= 0 or "auto"/],
    ['--entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.0/33', /not an IP address or a CIDR range/],
    ['--entryPoints.web.proxyProtocol.trustedIPs=localhost', /not an IP address or a CIDR range/],
    ['--entryPoints.web.forwardedHeaders.trustedIPs=fe80::1%eth0', /not an IP address or a CIDR range: remove the zone/],
    ['--demo.whoami.address=127.0.0.1:8082/tcp', /without a protocol/],
    ['--api.basePath=dashboard', /must be an absolute path/],
    ['--accessLog.filters.statusCodes=200,600', /"600" is not a status code/],
    ['--accessLog.format=xml', /expected one of "common", "genericCLF", "json"/],
    ['--ping.terminatingStatusCode=99', /at least 100/],
  ];
  for (const [flag, message] of bad) {
    const issues = loadIssues({ argv: ['--entryPoints.web.address=:80', flag] });
    assert.equal(issues.length, 1, `${flag}: ${issues.map((i) => i.message).join('; ')}`);
    assert.match(issues[0]?.message ?? '', message, flag);
    assert.equal(issues[0]?.where, `flag ${flag.split('=')[0]}`);
  }
});

test('redirections: Traefik defaults, with MaxInt-1 kept below the ACME challenge priority', () => {
  const { config } = loadOk({
    argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=websecure', '--entryPoints.websecure.address=:443',
      '--entryPoints.websecure.http.redirections.entryPoint.to=:8443', '--entryPoints.websecure.http.redirections.entryPoint.priority=9223372036854775806'],
  });
  assert.deepEqual(plain(config.entryPoints['web']?.http.redirections), {
    entryPoint: { to: 'websecure', scheme: 'https', permanent: true, priority: REDIRECTION_PRIORITY },
  });
  assert.equal(config.entryPoints['websecure']?.http.redirections?.entryPoint?.priority, REDIRECTION_PRIORITY);
  assert.ok(REDIRECTION_PRIORITY < MAX_PRIORITY && Number.isSafeInteger(MAX_PRIORITY));
});
