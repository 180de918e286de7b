import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEntryPoint } from '../../../src/config/static/effective.js';
import { loadIssues, loadOk, show } from './load-helper.js';

const addresses = (argv: string[]): Record<string, string> => {
  const { config } = loadOk({ argv });
  return Object.fromEntries(Object.entries(config.entryPoints).map(([name, ep]) => [name, ep.address]));
};

test('effective entryPoints, as Traefik\'s SetEffectiveConfiguration creates them', () => {
  const cases: Array<[string[], Record<string, string>]> = [
    [['--log.level=INFO'], { http: ':80' }],
    [['--api.insecure'], { http: ':80', traefik: ':8080' }],
    [['--api'], { http: ':80' }],
    [['--ping'], { http: ':80', traefik: ':8080' }],
    [['--ping.manualRouting'], { http: ':80' }],
    [['--metrics.prometheus'], { http: ':80', traefik: ':8080' }],
    [['--metrics.prometheus.manualRouting=true'], { http: ':80' }],
    [['--entryPoints.web.address=:81', '--ping.entryPoint=web'], { web: ':81' }],
    [['--entryPoints.web.address=:81', '--api.insecure'], { web: ':81', traefik: ':8080' }],
    [['--entryPoints.traefik.address=127.0.0.1:9999', '--api.insecure', '--ping'], { traefik: '127.0.0.1:9999' }],
  ];
  for (const [argv, want] of cases) assert.deepEqual(addresses(argv), want, argv.join(' '));
});

test('a created entryPoint carries every default', () => {
  const { config } = loadOk({ argv: ['--api.insecure'] });
  assert.deepEqual(JSON.parse(JSON.stringify(config.entryPoints['traefik'])), JSON.parse(JSON.stringify(defaultEntryPoint(':8080'))));
  assert.equal(config.entryPoints['http']?.transport.respondingTimeouts.readTimeout, 60_000);
});

test('references to entryPoints that do not exist are errors naming their source', () => {
  const issues = loadIssues({
    files: {
      '/srv/berth.yml': [
        'entryPoints:',
        '  web:',
        '    address: ":80"',
        '    http:',
        '      redirections:',
        '        entryPoint:',
        '          to: websecur',
        '  dns:',
        '    address: ":53/udp"',
        'certificatesResolvers:',
        '  le:',
        '    acme:',
        '      httpChallenge:',
        '        entryPoint: http',
      ].join('\n'),
    },
    argv: ['--ping.entryPoint=dns', '--metrics.prometheus.entryPoint=metrics', '--entryPoints.websecure.address=:443'],
  });
  assert.deepEqual(issues.map(show), [
    'error flag --ping.entryPoint: ping needs a TCP entryPoint, but "dns" listens on UDP (:53/udp)',
    'error flag --metrics.prometheus.entryPoint: metrics.prometheus uses entryPoint "metrics", which does not exist; entryPoints: web, dns, websecure',
    'error berth.yml:14: certificatesResolvers.le.acme.httpChallenge.entryPoint: certificate resolver "le" (httpChallenge) uses entryPoint "http", which does not exist; entryPoints: web, dns, websecure',
    'error berth.yml:7: entryPoints.web.http.redirections.entryPoint.to: the redirection of entryPoint "web" uses entryPoint "websecur", which does not exist (did you mean "websecure"?); entryPoints: web, dns, websecure',
  ]);
  assert.equal(issues[1]?.code, 'BERTH_ERR_ENTRYPOINT_NOT_FOUND');
});

test('a redirection to a bare port, manual routing and a defined certResolver need no entryPoint', () => {
  const { config } = loadOk({
    argv: [
      '--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=:443',
      '--entryPoints.web.http.tls.certResolver=le', '--certificatesResolvers.le.acme.tlsChallenge',
      '--ping.entryPoint=nowhere', '--ping.manualRouting',
    ],
  });
  assert.equal(config.entryPoints['web']?.http.redirections?.entryPoint?.to, ':443');
  const issues = loadIssues({ argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=:0', '--entryPoints.web.http.tls.certResolver=lee'] });
  assert.deepEqual(issues.map((i) => [i.code, i.where]), [
    ['BERTH_ERR_INVALID_VALUE', 'flag --entryPoints.web.http.redirections.entryPoint.to'],
    ['BERTH_ERR_ACME_RESOLVER_NOT_FOUND', 'flag --entryPoints.web.http.tls.certResolver'],
  ]);
  assert.match(issues[1]?.message ?? '', /"lee" does not exist; no certificate resolver is defined/);
});
