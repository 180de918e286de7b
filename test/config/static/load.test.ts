import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, loadIssues, loadOk, show } from './load-helper.js';

const file = (text: string, path = '/srv/berth.yml') => ({ [path]: text });

test('precedence: flags > BERTH_ env > TRAEFIK_ env > file, for one key', () => {
  const cases: Array<{ name: string; file?: string; traefik?: string; berth?: string; flag?: string; want: string }> = [
    { name: 'file alone', file: 'INFO', want: 'INFO' },
    { name: 'TRAEFIK_ env over file', file: 'INFO', traefik: 'DEBUG', want: 'DEBUG' },
    { name: 'BERTH_ env over TRAEFIK_ env', file: 'INFO', traefik: 'DEBUG', berth: 'WARN', want: 'WARN' },
    { name: 'flag over everything', file: 'INFO', traefik: 'DEBUG', berth: 'WARN', flag: 'TRACE', want: 'TRACE' },
    { name: 'flag over file', file: 'INFO', flag: 'FATAL', want: 'FATAL' },
    { name: 'flag over env', berth: 'WARN', flag: 'PANIC', want: 'PANIC' },
    { name: 'TRAEFIK_ env alone', traefik: 'debug', want: 'DEBUG' },
    { name: 'nothing set: default', want: 'ERROR' },
  ];
  for (const c of cases) {
    const env: Record<string, string> = { PATH: '/bin' };
    if (c.traefik !== undefined) env['TRAEFIK_LOG_LEVEL'] = c.traefik;
    if (c.berth !== undefined) env['BERTH_LOG_LEVEL'] = c.berth;
    const { config } = loadOk({
      files: c.file === undefined ? {} : file(`log:\n  level: ${c.file}\n`),
      env,
      argv: c.flag === undefined ? ['--ping=false'] : [`--log.level=${c.flag}`],
    });
    assert.equal(config.log.level, c.want, c.name);
  }
});

test('sources merge key by key: a flag overrides one key of a file section and keeps the rest', () => {
  const { config, file: used } = loadOk({
    files: file([
      'entryPoints:',
      '  web:',
      '    address: ":80"',
      '    asDefault: true',
      '    forwardedHeaders:',
      '      trustedIPs: ["10.0.0.0/8", "192.168.0.0/16"]',
      '  webSecure:',
      '    address: ":443"',
      'api:',
      '  dashboard: false',
    ].join('\n')),
    env: { BERTH_ENTRYPOINTS_WEBSECURE_ADDRESS: ':8443', TRAEFIK_ENTRYPOINTS_WEB_FORWARDEDHEADERS_TRUSTEDIPS: '127.0.0.1' },
    argv: ['--entryPoints.web.address=:8080', '--api', '--entrypoints.metrics.address=:9100'],
  });
  assert.equal(used, 'berth.yml');
  assert.deepEqual(Object.keys(config.entryPoints).sort(), ['metrics', 'web', 'webSecure']);
  assert.equal(config.entryPoints['web']?.address, ':8080');
  assert.equal(config.entryPoints['web']?.asDefault, true);
  // A list is replaced as a whole, not merged item by item.
  assert.deepEqual(config.entryPoints['web']?.forwardedHeaders.trustedIPs, ['127.0.0.1']);
  // Env names are lower-cased, yet they reach the entryPoint the file spells "webSecure".
  assert.equal(config.entryPoints['webSecure']?.address, ':8443');
  // A bare --api beside the file's api section keeps the section's keys.
  assert.equal(config.api?.dashboard, false);
});

test('a section from a flag replaces a scalar from the file, and "false" turns a file section off', () => {
  const on = loadOk({ files: file('api: true\nping: {}\n'), argv: ['--api.insecure', '--ping=false'] }).config;
  assert.equal(on.api?.insecure, true);
  assert.equal(on.ping, undefined);
});

test('an unknown key is an error with "did you mean", naming its source, from every source', () => {
  const cases = [
    { argv: ['--entrypoints.web.adress=:80'], where: 'flag --entrypoints.web.adress' },
    { env: { BERTH_ENTRYPOINTS_WEB_ADRESS: ':80' }, where: 'environment variable BERTH_ENTRYPOINTS_WEB_ADRESS' },
    { env: { TRAEFIK_ENTRYPOINTS_WEB_ADRESS: ':80' }, where: 'environment variable TRAEFIK_ENTRYPOINTS_WEB_ADRESS' },
    { files: file('log:\n  level: INFO\nentryPoints:\n  web:\n    adress: ":80"\n'), where: 'berth.yml:5: entryPoints.web.adress' },
  ];
  for (const c of cases) {
    const issues = loadIssues(c);
    const unknown = issues.find((i) => i.code === 'BERTH_ERR_UNKNOWN_KEY');
    assert.ok(unknown, `no unknown-key issue for ${c.where}: ${issues.map(show).join('; ')}`);
    assert.equal(unknown.where, c.where);
    assert.match(unknown.message, /unknown key "adress" \(did you mean "address"\?\)/);
  }
});

test('every problem from every source is reported at once', () => {
  const issues = loadIssues({
    files: file('entryPoints:\n  web:\n    address: "80"\nlog:\n  level: LOUD\n'),
    env: { BERTH_PING_TERMINATINGSTATUSCODE: '900', BERTH_API_INSECURE: 'maybe' },
    argv: ['--providers.dockr', '--serversTransport.forwardingTimeouts.dialTimeout=soon'],
  });
  const wheres = issues.filter((i) => i.severity === 'error').map((i) => i.where).sort();
  assert.deepEqual(wheres, [
    'berth.yml:3: entryPoints.web.address',
    'berth.yml:5: log.level',
    'environment variable BERTH_API_INSECURE',
    'environment variable BERTH_PING_TERMINATINGSTATUSCODE',
    'flag --providers.dockr',
    'flag --serversTransport.forwardingTimeouts.dialTimeout',
  ]);
  assert.match(issues.find((i) => i.where === 'flag --providers.dockr')?.message ?? '', /did you mean "docker"/);
});

test('a required key missing from a section names the source of that section', () => {
  const fromFlag = loadIssues({ argv: ['--entryPoints.web.asDefault'] });
  assert.deepEqual(fromFlag.map(show), ['error flag --entryPoints.web.asDefault: "address" is required']);
  const fromFile = loadIssues({ files: file('entryPoints:\n  web:\n    asDefault: true\n') });
  assert.deepEqual(fromFile.map(show), ['error berth.yml:2: entryPoints.web.address: "address" is required']);
});

test('Traefik sections Berth does not implement warn and are ignored, so a traefik.yml still starts', () => {
  const traefikYml = [
    'global:',
    '  checkNewVersion: true',
    '  sendAnonymousUsage: false',
    'experimental:',
    '  plugins: {}',
    'tracing:',
    '  otlp: {}',
    'hostResolver: {}',
    'core:',
    '  defaultRuleSyntax: v3',
    'entryPoints:',
    '  web:',
    '    address: ":80"',
    '    http3: {}',
    'providers:',
    '  docker:',
    '    exposedByDefault: false',
    '  swarm: {}',
    '  kubernetesCRD: {}',
    'metrics:',
    '  datadog: {}',
    '  prometheus: {}',
    'log:',
    '  maxSize: 10',
  ].join('\n');
  const { config, warnings } = loadOk({ files: file(traefikYml, '/srv/traefik.yml') });
  assert.equal(config.providers.docker?.exposedByDefault, false);
  assert.ok(config.metrics?.prometheus);
  assert.ok(warnings.every((w) => w.code === 'BERTH_ERR_NOT_SUPPORTED' && w.severity === 'warning'));
  assert.deepEqual(warnings.map((w) => /^"([^"]+)" is not supported by Berth, ignored/.exec(w.message)?.[1]).sort(), [
    'core', 'entryPoints.web.http3', 'experimental', 'global', 'hostResolver', 'log.maxSize', 'metrics.datadog',
    'providers.kubernetesCRD', 'providers.swarm', 'tracing',
  ]);
  assert.equal(warnings.find((w) => w.message.startsWith('"tracing"'))?.where, 'traefik.yml:6: tracing');
  assert.equal(load({ argv: ['--tracing.otlp', '--providers.nomad'] }).ok, true);
});

test('the configuration file: search order, --configFile, BERTH_CONFIGFILE', () => {
  const all = ['/srv/berth.yml', '/srv/berth.yaml', '/etc/berth/berth.yml', '/etc/berth/berth.yaml',
    '/srv/traefik.yml', '/srv/traefik.yaml', '/etc/traefik/traefik.yml', '/etc/traefik/traefik.yaml'];
  for (let first = 0; first < all.length; first++) {
    const files = Object.fromEntries(all.slice(first).map((path, i) => [path, `log:\n  level: ${i === 0 ? 'DEBUG' : 'INFO'}\n`]));
    const { config, file: used } = loadOk({ files });
    assert.equal(config.log.level, 'DEBUG', all[first]);
    assert.equal(used, (all[first] as string).replace('/srv/', ''));
  }
  const files = { '/srv/berth.yml': 'log:\n  level: INFO\n', '/srv/conf/x.yml': 'log:\n  level: DEBUG\n', '/opt/y.yml': 'log:\n  level: WARN\n' };
  assert.equal(loadOk({ files, argv: ['--configFile=conf/x.yml'] }).config.log.level, 'DEBUG');
  assert.equal(loadOk({ files, argv: ['--configFile', 'conf/x.yml'] }).file, 'conf/x.yml');
  assert.equal(loadOk({ files, argv: ['--configfile=/opt/y.yml'] }).file, '/opt/y.yml');
  assert.equal(loadOk({ files, env: { BERTH_CONFIGFILE: '/opt/y.yml' } }).config.log.level, 'WARN');
  assert.equal(loadOk({ files, env: { BERTH_CONFIGFILE: '/opt/y.yml' }, argv: ['--configFile=conf/x.yml'] }).config.log.level, 'DEBUG');
});

test('a missing --configFile, a TOML file, broken YAML and a non-mapping are clear errors', () => {
  const missing = loadIssues({ argv: ['--configFile=nope.yml'] });
  assert.equal(missing[0]?.code, 'BERTH_ERR_CONFIG_FILE');
  assert.match(missing[0]?.message ?? '', /\/srv\/nope\.yml does not exist/);

  const toml = loadIssues({ files: { '/srv/traefik.toml': '[entryPoints]' }, argv: ['--configFile=traefik.toml'] });
  assert.match(toml[0]?.message ?? '', /TOML is not supported; convert it to YAML/);
  // Found by the default search, a TOML file is not skipped silently in favour of the embedded default.
  const found = loadIssues({ files: { '/etc/traefik/traefik.toml': '[entryPoints]' } });
  assert.deepEqual(found.map(show).map((s) => s.split(':')[0]), ['error /etc/traefik/traefik.toml']);
  assert.match(found[0]?.message ?? '', /TOML is not supported; convert it to YAML/);

  const broken = loadIssues({ files: file('entryPoints:\n  web: [\n') });
  assert.equal(broken[0]?.code, 'BERTH_ERR_YAML_SYNTAX');
  assert.match(broken[0]?.where ?? '', /^berth\.yml:\d+:\d+$/);

  const list = loadIssues({ files: file('- a\n- b\n') });
  assert.deepEqual(list.map((i) => [i.code, i.where]), [['BERTH_ERR_CONFIG_FILE', 'berth.yml']]);
});

test('an empty file is a configuration with every default, not the embedded default', () => {
  const { config, embeddedDefault, file: used } = loadOk({ files: file('') });
  assert.equal(embeddedDefault, false);
  assert.equal(used, 'berth.yml');
  assert.deepEqual(Object.keys(config.entryPoints), ['http']);
});

test('durations: Go syntax or bare seconds, from every source, in milliseconds', () => {
  const { config } = loadOk({
    files: file('entryPoints:\n  web:\n    address: ":80"\n    transport:\n      lifeCycle:\n        graceTimeOut: 1m30s\n'),
    env: { BERTH_ENTRYPOINTS_WEB_TRANSPORT_RESPONDINGTIMEOUTS_READTIMEOUT: '15' },
    argv: ['--entryPoints.web.transport.respondingTimeouts.idleTimeout=250ms', '--providers.providersThrottleDuration=1.5s'],
  });
  const transport = config.entryPoints['web']?.transport;
  assert.equal(transport?.lifeCycle.graceTimeOut, 90_000);
  assert.equal(transport?.respondingTimeouts.readTimeout, 15_000);
  assert.equal(transport?.respondingTimeouts.idleTimeout, 250);
  assert.equal(transport?.respondingTimeouts.writeTimeout, 0);
  assert.equal(config.providers.providersThrottleDuration, 1_500);
});

test('the result is deep-frozen', () => {
  const { config } = loadOk({ argv: ['--entryPoints.web.address=:80', '--entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.1', '--providers.docker'] });
  const web = config.entryPoints['web'];
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.entryPoints));
  assert.ok(Object.isFrozen(web?.forwardedHeaders.trustedIPs));
  assert.ok(Object.isFrozen(config.providers.docker?.labelPrefixes));
  assert.throws(() => { (config as { workers: unknown }).workers = 3; }, TypeError);
  assert.throws(() => { (web?.forwardedHeaders.trustedIPs as string[]).push('x'); }, TypeError);
  assert.throws(() => { (config.entryPoints as Record<string, unknown>)['evil'] = {}; }, TypeError);
});

test('a warning-only load succeeds and returns its warnings; errors come before warnings on failure', () => {
  const result = load({ argv: ['--tracing', '--entryPoints.web.address=nowhere'] });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.issues.map((i) => i.severity), ['error', 'warning']);
});
