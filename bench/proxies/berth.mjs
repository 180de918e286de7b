// Berth, started the way a user starts it: `node dist/src/main.js --configFile=berth.yml`, with a static file
// naming one entrypoint and the file provider, and the routers in a watched dynamic file. Reload = rewrite the
// dynamic file atomically (write + rename, as editors and ConfigMaps do); the file provider sees the change.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../lib/files.mjs';
import { spawnTracked } from '../lib/procs.mjs';
import { DUMMY_HOST, WS_HOST, hostName } from '../lib/topology.mjs';

/** Berth's CLI entry in the build output, relative to the repository. */
export const BERTH_MAIN = 'dist/src/main.js';

/** @param {import('../lib/topology.mjs').ProxyEnv} env @param {boolean} tls @param {string} workers */
function staticYaml(env, tls, workers, dynamicFile) {
  return `entryPoints:
  web:
    address: "127.0.0.1:${env.port}"
${tls ? '    http:\n      tls: {}\n' : ''}providers:
  # The other proxies apply a change at once; Traefik's default 2 s throttle would hide 9 of 10 reloads.
  providersThrottleDuration: 0s
  file:
    filename: ${JSON.stringify(dynamicFile)}
    watch: true
log:
  level: ERROR
workers: ${workers}
`;
}

/** @param {import('../lib/topology.mjs').ProxyEnv} env @param {import('../lib/topology.mjs').ProxyConfig} config */
function dynamicYaml(env, config) {
  const router = (name, host, service) => `    ${name}:\n      rule: "Host(\`${host}\`)"\n      service: ${service}\n`;
  let routers = router('ws', WS_HOST, 'ws');
  for (let i = 0; i < config.routers; i++) routers += router(`h${i}`, hostName(i), 'app');
  if (config.dummy) routers += router('reload', DUMMY_HOST, 'app');
  const service = (name, port) => `    ${name}:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:${port}"\n`;
  const tls = config.tls
    ? `tls:\n  certificates:\n    - certFile: ${JSON.stringify(env.cert.certFile)}\n      keyFile: ${JSON.stringify(env.cert.keyFile)}\n`
    : '';
  return `http:\n  routers:\n${routers}  services:\n${service('app', env.backendPort)}${service('ws', env.wsPort)}${tls}`;
}

/**
 * A Berth adapter.
 * @param {string} name the name in results
 * @param {'auto' | number} workers `workers:` in the static configuration ("auto" = one per core, 0 = one process)
 * @returns {import('../lib/topology.mjs').ProxyAdapter}
 */
export function berthAdapter(name, workers) {
  return {
    name,
    binaries: [],
    summary: `workers: ${workers}, file provider (watched) with one router per Host, one service for all, log ERROR, no access log`,
    async start(env, config) {
      const main = join(env.repoRoot, BERTH_MAIN);
      if (!existsSync(main)) throw new Error(`${name}: ${main} does not exist; run \`npm run build\` first (npm run bench does)`);
      const dynamicFile = join(env.dir, 'dynamic.yml');
      const staticFile = join(env.dir, 'berth.yml');
      writeAtomic(dynamicFile, dynamicYaml(env, config));
      writeFileSync(staticFile, staticYaml(env, config.tls, String(workers), dynamicFile));
      const entry = spawnTracked(name, process.execPath, [main, `--configFile=${staticFile}`], {
        cwd: env.repoRoot,
        env: { ...process.env, NODE_ENV: 'production' },
      });
      return {
        entry,
        async apply(next) {
          writeAtomic(dynamicFile, dynamicYaml(env, next));
        },
      };
    },
  };
}

export const berth = berthAdapter('berth', 'auto');
export const berthOneProcess = berthAdapter('berth-1proc', 0);
