// HAProxy as a peer: one frontend whose Host routers are a map file (HAProxy's idiom for many hosts), one
// backend with `http-reuse always`. Master-worker mode (-W): reload = SIGUSR2 to the master, which re-reads the
// configuration and the map and starts a new worker; the old one finishes its connections. The master re-executes
// itself to reload and a SIGUSR2 that arrives meanwhile is lost, so apply() waits until the master is ready again
// (as Caddy's /load waits for its answer) before the next reload may be asked for.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeAtomic } from '../lib/files.mjs';
import { spawnTracked } from '../lib/procs.mjs';
import { DUMMY_HOST, WS_HOST, hostName } from '../lib/topology.mjs';

/** @param {import('../lib/topology.mjs').ProxyEnv} env @param {import('../lib/topology.mjs').ProxyConfig} config */
function haproxyCfg(env, config, mapFile) {
  const bind = `bind 127.0.0.1:${env.port}${config.tls ? ` ssl crt ${env.cert.pemFile} alpn http/1.1` : ''}`;
  return `global
  nbthread ${env.cores}
  maxconn 8000
  tune.ssl.default-dh-param 2048

defaults
  mode http
  timeout connect 5s
  timeout client 75s
  timeout server 60s
  timeout http-keep-alive 75s
  timeout tunnel 1h
  option http-keep-alive
  http-reuse always

frontend web
  ${bind}
  option forwardfor
  http-request set-header X-Forwarded-Proto ${config.tls ? 'https' : 'http'}
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  use_backend %[req.hdr(host),lower,map(${mapFile})]

backend app
  server s1 127.0.0.1:${env.backendPort}

backend ws
  server s1 127.0.0.1:${env.wsPort}
`;
}

function hostMap(config) {
  const lines = [`${WS_HOST} ws`];
  for (let i = 0; i < config.routers; i++) lines.push(`${hostName(i)} app`);
  if (config.dummy) lines.push(`${DUMMY_HOST} app`);
  return `${lines.join('\n')}\n`;
}

function writeFiles(env, config) {
  const cfgFile = join(env.dir, 'haproxy.cfg');
  const mapFile = join(env.dir, 'hosts.map');
  writeAtomic(mapFile, hostMap(config));
  writeAtomic(cfgFile, haproxyCfg(env, config, mapFile));
  return cfgFile;
}

/** @type {import('../lib/topology.mjs').ProxyAdapter} */
export const haproxy = {
  name: 'haproxy',
  binaries: ['haproxy'],
  summary: 'nbthread = cores, Host routers in a map file, http-reuse always, option forwardfor, master-worker',
  async start(env, config) {
    const cfgFile = writeFiles(env, config);
    const entry = spawnTracked('haproxy', 'haproxy', ['-W', '-db', '-f', cfgFile]);
    // The master takes signals again once it says so: after start-up's "Loading success", and after a reload's
    // "Loading success|failure" when it prints "path to executable" (a SIGUSR2 sent between the two is lost).
    let seen = 0;
    let asked = 1;
    let lastLoad = '';
    /** @type {(() => void) | undefined} */
    let wake;
    if (entry.child.stderr) {
      createInterface({ input: entry.child.stderr }).on('line', (line) => {
        if (/Loading (success|failure)/.test(line)) {
          lastLoad = line;
          if (seen === 0) seen = 1;
        } else if (seen > 0 && line.includes('path to executable')) {
          seen++;
        } else {
          return;
        }
        wake?.();
      });
    }
    const caughtUp = () => new Promise((resolve, reject) => {
      const check = () => {
        if (seen < asked) return;
        clearTimeout(timer);
        wake = undefined;
        if (lastLoad.includes('success')) resolve(undefined);
        else reject(new Error(`haproxy reload failed: ${lastLoad}`));
      };
      const timer = setTimeout(() => { wake = undefined; reject(new Error('haproxy did not report the reload within 10 s')); }, 10_000);
      wake = check;
      check();
    });
    return {
      entry,
      async apply(next) {
        await caughtUp();
        writeFiles(env, next);
        asked++;
        process.kill(entry.pid, 'SIGUSR2');
        await caughtUp();
      },
    };
  },
};
