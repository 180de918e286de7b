import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envEntries, flagEntries } from '../../../src/config/static/sources.js';
import { loadIssues, loadOk, show } from './load-helper.js';

test('environment names map as in Traefik: lower-cased, "_" is ".", numeric segments are list indexes', () => {
  const source = envEntries({
    BERTH_ENTRYPOINTS_WEB_ADDRESS: ':80',
    BERTH_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_MAIN: 'a.test',
    BERTH_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_10_SANS_1: 'b.test',
    TRAEFIK_LOG_LEVEL: 'DEBUG',
    berth_log_level: 'INFO',
    BERTH_PING: undefined,
  }, 'BERTH_');
  assert.deepEqual(source.issues, []);
  assert.deepEqual(source.entries.map((e) => [e.key, e.value, e.origin]).sort(), [
    ['entrypoints.web.address', ':80', 'environment variable BERTH_ENTRYPOINTS_WEB_ADDRESS'],
    ['entrypoints.websecure.http.tls.domains[0].main', 'a.test', 'environment variable BERTH_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_0_MAIN'],
    ['entrypoints.websecure.http.tls.domains[10].sans[1]', 'b.test', 'environment variable BERTH_ENTRYPOINTS_WEBSECURE_HTTP_TLS_DOMAINS_10_SANS_1'],
  ]);
  const malformed = envEntries({ BERTH_ENTRYPOINTS__WEB: 'x', BERTH_LOG_: 'y' }, 'BERTH_');
  assert.deepEqual(malformed.issues.map((i) => [i.code, i.where]), [
    ['BERTH_ERR_INVALID_FLAG', 'environment variable BERTH_ENTRYPOINTS__WEB'],
    ['BERTH_ERR_INVALID_FLAG', 'environment variable BERTH_LOG_'],
  ]);
});

test('flags: --key=value, bare flags are "true", the value is everything after the first "="', () => {
  const source = flagEntries(['--api.insecure', '--providers.docker.constraints=Label(`a`,`b=c`)', '--log.level=', '--configFile', 'x.yml']);
  assert.deepEqual(source.issues, []);
  assert.deepEqual(source.entries.map((e) => [e.key, e.value, e.origin]), [
    ['api.insecure', 'true', 'flag --api.insecure'],
    ['providers.docker.constraints', 'Label(`a`,`b=c`)', 'flag --providers.docker.constraints'],
    ['log.level', '', 'flag --log.level'],
  ]);
  assert.deepEqual(source.configFile, { path: 'x.yml', origin: 'flag --configFile' });
});

test('flags: a positional argument, a lone "--", a missing configFile path and a repeated key are errors', () => {
  const source = flagEntries(['entryPoints.web.address=:80', '--', '-x', '--log.level=INFO', '--LOG.LEVEL=DEBUG', '--configFile']);
  assert.deepEqual(source.issues.map((i) => [i.code, i.where]), [
    ['BERTH_ERR_INVALID_FLAG', 'argument "entryPoints.web.address=:80"'],
    ['BERTH_ERR_INVALID_FLAG', 'argument "--"'],
    ['BERTH_ERR_INVALID_FLAG', 'argument "-x"'],
    ['BERTH_ERR_INVALID_FLAG', 'flag --configFile'],
    ['BERTH_ERR_DUPLICATE_KEY', 'flag --LOG.LEVEL'],
  ]);
  assert.match(source.issues[4]?.message ?? '', /also set by flag --log\.level/);
});

test('lists: comma-separated or indexed, from flags and environment', () => {
  const { config } = loadOk({
    env: {
      BERTH_ENTRYPOINTS_WEB_FORWARDEDHEADERS_TRUSTEDIPS: '10.0.0.0/8, 127.0.0.1',
      BERTH_ENTRYPOINTS_WEB_PROXYPROTOCOL_TRUSTEDIPS_1: '::1',
      BERTH_ENTRYPOINTS_WEB_PROXYPROTOCOL_TRUSTEDIPS_0: '192.0.2.0/24',
    },
    argv: [
      '--entryPoints.web.address=:80',
      '--entryPoints.websecure.address=:443',
      '--entryPoints.websecure.http.tls.certResolver=le',
      '--entryPoints.websecure.http.tls.domains[0].main=example.com',
      '--entryPoints.websecure.http.tls.domains[0].sans=a.example.com,b.example.com',
      '--entryPoints.websecure.http.tls.domains[1].main=example.org',
      '--entryPoints.websecure.http.middlewares=auth@file,compress@docker',
      '--certificatesResolvers.le.acme.tlsChallenge',
    ],
  });
  const web = config.entryPoints['web'];
  assert.deepEqual(web?.forwardedHeaders.trustedIPs, ['10.0.0.0/8', '127.0.0.1']);
  assert.deepEqual(web?.proxyProtocol?.trustedIPs, ['192.0.2.0/24', '::1']);
  const tls = config.entryPoints['websecure']?.http.tls;
  assert.deepEqual(JSON.parse(JSON.stringify(tls)), {
    certResolver: 'le',
    domains: [{ main: 'example.com', sans: ['a.example.com', 'b.example.com'] }, { main: 'example.org' }],
  });
  assert.deepEqual(config.entryPoints['websecure']?.http.middlewares, ['auth@file', 'compress@docker']);
});

test('bare section flags and "=true" variables enable a section with its defaults', () => {
  const { config } = loadOk({
    env: { TRAEFIK_PING: 'true', TRAEFIK_API: 'true', TRAEFIK_API_DEBUG: 'true' },
    argv: ['--providers.docker', '--metrics.prometheus', '--accessLog', '--entryPoints.web.address=:80'],
  });
  assert.equal(config.providers.docker?.endpoint, 'unix:///var/run/docker.sock');
  assert.equal(config.providers.docker?.exposedByDefault, true);
  assert.deepEqual(config.ping, { entryPoint: 'traefik', manualRouting: false, terminatingStatusCode: 503 });
  assert.equal(config.api?.debug, true);
  assert.equal(config.api?.dashboard, true);
  assert.deepEqual(config.metrics?.prometheus?.buckets, [0.1, 0.3, 1.2, 5.0]);
  assert.equal(config.accessLog?.format, 'common');
  assert.equal(config.accessLog?.fields.headers.defaultMode, 'drop');
});

test('keys are case-insensitive in every source; names keep their spelling', () => {
  const { config } = loadOk({
    env: { BERTH_ENTRYPOINTS_WEB_HTTP2_MAXCONCURRENTSTREAMS: '100' },
    argv: ['--ENTRYPOINTS.web.ADDRESS=:80', '--EntryPoints.Admin.Address=:9000', '--LOG.Level=info', '--API.Insecure=TRUE'],
  });
  assert.deepEqual(Object.keys(config.entryPoints).sort(), ['Admin', 'traefik', 'web']);
  assert.equal(config.entryPoints['web']?.http2.maxConcurrentStreams, 100);
  assert.equal(config.log.level, 'INFO');
  assert.equal(config.api?.insecure, true);
});

test('bad flag values are errors naming the flag', () => {
  const issues = loadIssues({ argv: ['--log.level', '--api=yes', '--api.insecure', '--entryPoints.web.address=:80', '--entryPoints.web.reusePort=sometimes'] });
  assert.deepEqual(issues.map(show), [
    'error flag --api.insecure: "api" is used both as a value and as a section; only "true" may stand beside its sub-keys',
    'error flag --entryPoints.web.reusePort: expected true or false, got "sometimes"',
    'error flag --api: expected a section with keys such as "insecure", "dashboard", "debug", "basePath", got "yes"',
    'error flag --log.level: expected one of "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC", got "true"',
  ]);
});
