import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dynamicConfigSchema } from '../../../src/config/dynamic/model.js';
import { createContext } from '../../../src/config/schema/index.js';
import { parseYamlSource } from '../../../src/config/schema/yaml-source.js';
import {
  DEMO_WHOAMI_ADDRESS_VARIABLE, EMBEDDED_DYNAMIC_PATH, EMBEDDED_DYNAMIC_YAML, EMBEDDED_WHOAMI_ADDRESS, embeddedDynamicFile,
} from '../../../src/config/static/embedded-default.js';
import { renderTemplate } from '../../../src/providers/file/template.js';
import { loadOk } from './load-helper.js';

// This test runs from dist/test/config/static/; the repository root is four levels up.
const repoFile = new URL(`../../../../${EMBEDDED_DYNAMIC_PATH}`, import.meta.url);

test('defaults/dynamic.yml in the repository is exactly EMBEDDED_DYNAMIC_YAML', () => {
  assert.equal(readFileSync(repoFile, 'utf8'), EMBEDDED_DYNAMIC_YAML);
  // The path the embedded default points at is that same file.
  assert.equal(readFileSync(embeddedDynamicFile(), 'utf8'), EMBEDDED_DYNAMIC_YAML);
  assert.ok(embeddedDynamicFile().endsWith(`/${EMBEDDED_DYNAMIC_PATH}`));
});

/** The demo's server URL once the file provider rendered the template with `env`. */
function demoServerUrls(env: Record<string, string>): string[] {
  const rendered = renderTemplate(EMBEDDED_DYNAMIC_YAML, EMBEDDED_DYNAMIC_PATH, env);
  assert.deepEqual(rendered.issues, []);
  const yaml = parseYamlSource(rendered.text ?? '', EMBEDDED_DYNAMIC_PATH);
  const config = dynamicConfigSchema.decode(yaml.value, [], createContext({ flat: false, where: yaml.where }));
  return (config as { http: { services: Record<string, { loadBalancer: { servers: Array<{ url: string }> } }> } }).http.services['demo-whoami']?.loadBalancer.servers.map((s) => s.url) ?? [];
}

test('the demo route follows demo.whoami.address through the file template', () => {
  assert.deepEqual(demoServerUrls({}), [`http://${EMBEDDED_WHOAMI_ADDRESS}`]);
  assert.deepEqual(demoServerUrls({ [DEMO_WHOAMI_ADDRESS_VARIABLE]: '127.0.0.1:19082' }), ['http://127.0.0.1:19082']);
});

test('the embedded dynamic configuration routes every path on "web" to the built-in whoami', () => {
  const yaml = parseYamlSource(renderTemplate(EMBEDDED_DYNAMIC_YAML, EMBEDDED_DYNAMIC_PATH, {}).text ?? '', EMBEDDED_DYNAMIC_PATH);
  assert.deepEqual(yaml.issues, []);
  const ctx = createContext({ flat: false, where: yaml.where });
  const config = dynamicConfigSchema.decode(yaml.value, [], ctx);
  assert.deepEqual(ctx.issues, []);
  const http = (config as { http: { routers: unknown; services: Record<string, { loadBalancer: { servers: Array<{ url: string }> } }> } }).http;
  assert.deepEqual(JSON.parse(JSON.stringify(http.routers)), { demo: { rule: 'PathPrefix(`/`)', entryPoints: ['web'], service: 'demo-whoami' } });
  assert.deepEqual(Object.keys(http.services), ['demo-whoami']);
  assert.deepEqual(http.services['demo-whoami']?.loadBalancer.servers.map((s) => s.url), [`http://${EMBEDDED_WHOAMI_ADDRESS}`]);
});

test('with no file, no BERTH_/TRAEFIK_ variable and no flag, the embedded default runs', () => {
  const { config, warnings, embeddedDefault, file } = loadOk({ env: { PATH: '/usr/bin', HOME: '/root', DOCKER_HOST: 'unix:///x' } });
  assert.equal(embeddedDefault, true);
  assert.equal(file, undefined);
  assert.deepEqual(warnings, []);
  assert.deepEqual(Object.fromEntries(Object.entries(config.entryPoints).map(([n, ep]) => [n, ep.address])), { web: ':8080', traefik: ':8081' });
  assert.equal(config.api?.insecure, true);
  assert.equal(config.api?.dashboard, true);
  assert.equal(config.ping?.entryPoint, 'traefik');
  assert.equal(config.providers.docker?.endpoint, 'unix:///var/run/docker.sock');
  assert.equal(config.providers.file?.filename, embeddedDynamicFile());
  assert.equal(config.demo?.whoami?.address, EMBEDDED_WHOAMI_ADDRESS);
  assert.ok(Object.isFrozen(config.demo?.whoami));
});

test('moving only the demo\'s addresses, by flags or variables, keeps the embedded default', () => {
  const cases = [
    { argv: ['--entryPoints.web.address=:18080', '--entryPoints.traefik.address=127.0.0.1:18081', '--demo.whoami.address=127.0.0.1:18082'] },
    { env: { BERTH_ENTRYPOINTS_WEB_ADDRESS: ':18080', TRAEFIK_ENTRYPOINTS_TRAEFIK_ADDRESS: '127.0.0.1:18081', BERTH_DEMO_WHOAMI_ADDRESS: '127.0.0.1:18082' } },
  ];
  for (const c of cases) {
    const { config, embeddedDefault } = loadOk(c);
    assert.equal(embeddedDefault, true, JSON.stringify(c));
    assert.equal(config.entryPoints['web']?.address, ':18080');
    assert.equal(config.entryPoints['traefik']?.address, '127.0.0.1:18081');
    assert.equal(config.demo?.whoami?.address, '127.0.0.1:18082');
    assert.equal(config.api?.insecure, true);
    assert.equal(config.providers.file?.filename, embeddedDynamicFile());
  }
  // One more key, or an entrypoint address without the demo's, and it is the user's configuration.
  assert.equal(loadOk({ argv: ['--demo.whoami.address=127.0.0.1:18082', '--entryPoints.web.address=:18080', '--log.level=INFO'] }).embeddedDefault, false);
  const plain = loadOk({ argv: ['--entryPoints.web.address=:18080'] });
  assert.equal(plain.embeddedDefault, false);
  assert.deepEqual(Object.keys(plain.config.entryPoints), ['web']);
});

test('any configuration turns the embedded default off', () => {
  const cases = [
    { argv: ['--log.level=INFO'] },
    { env: { BERTH_LOG_LEVEL: 'INFO' } },
    { env: { TRAEFIK_LOG_LEVEL: 'INFO' } },
    { files: { '/srv/traefik.yml': 'log:\n  level: INFO\n' } },
  ];
  for (const c of cases) {
    const { config, embeddedDefault } = loadOk(c);
    assert.equal(embeddedDefault, false, JSON.stringify(c));
    assert.deepEqual(Object.keys(config.entryPoints), ['http'], JSON.stringify(c));
    assert.equal(config.demo, undefined);
  }
});
