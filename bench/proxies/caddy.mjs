// Caddy as a peer (Go, the same class of proxy as Traefik): one Caddyfile site block per Host router, each with
// reverse_proxy and an upstream keep-alive pool. Reload = POST the Caddyfile to the admin API's /load, which
// is what `caddy reload` does, without starting a second Caddy process five times a second.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTracked } from '../lib/procs.mjs';
import { freePort } from '../lib/system.mjs';
import { DUMMY_HOST, WS_HOST, hostName } from '../lib/topology.mjs';

/** @param {import('../lib/topology.mjs').ProxyEnv} env @param {import('../lib/topology.mjs').ProxyConfig} config */
function caddyfile(env, config, adminPort) {
  const scheme = config.tls ? 'https' : 'http';
  const tls = config.tls ? `\ttls ${env.cert.certFile} ${env.cert.keyFile}\n` : '';
  // Caddy's default is 32 idle upstream connections per host; 128 matches nginx's `keepalive 128`.
  const proxy = (port) => `\treverse_proxy 127.0.0.1:${port} {\n\t\ttransport http {\n\t\t\tkeepalive 60s\n\t\t\tkeepalive_idle_conns_per_host 128\n\t\t}\n\t}\n`;
  const site = (host, port) => `${scheme}://${host}:${env.port} {\n\tbind 127.0.0.1\n${tls}${proxy(port)}}\n`;
  let text = `{\n\tadmin 127.0.0.1:${adminPort}\n\tauto_https ${config.tls ? 'disable_redirects' : 'off'}\n\tstorage file_system ${join(env.dir, 'data')}\n}\n`;
  text += site(WS_HOST, env.wsPort);
  for (let i = 0; i < config.routers; i++) text += site(hostName(i), env.backendPort);
  if (config.dummy) text += site(DUMMY_HOST, env.backendPort);
  return text;
}

function postLoad(adminPort, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: adminPort, method: 'POST', path: '/load', headers: { 'Content-Type': 'text/caddyfile' } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`caddy /load answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** @type {import('../lib/topology.mjs').ProxyAdapter} */
export const caddy = {
  name: 'caddy',
  binaries: ['caddy'],
  summary: 'one site block per router, reverse_proxy with keepalive_idle_conns_per_host 128, admin-API reloads',
  async start(env, config) {
    mkdirSync(join(env.dir, 'data'), { recursive: true });
    const adminPort = await freePort();
    const file = join(env.dir, 'Caddyfile');
    writeFileSync(file, caddyfile(env, config, adminPort));
    const home = { HOME: env.dir, XDG_DATA_HOME: join(env.dir, 'data'), XDG_CONFIG_HOME: join(env.dir, 'data') };
    const entry = spawnTracked('caddy', 'caddy', ['run', '--config', file, '--adapter', 'caddyfile'], { env: { ...process.env, ...home } });
    return {
      entry,
      apply: (next) => postLoad(adminPort, caddyfile(env, next, adminPort)),
    };
  },
};
