// nginx as a peer: one server block per Host router (the way nginx users write routers), all proxying to one
// upstream with a keep-alive pool. Reload = SIGHUP to the master, which starts new workers and retires the old.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nginxPaths, writeAtomic } from '../lib/files.mjs';
import { spawnTracked } from '../lib/procs.mjs';
import { DUMMY_HOST, WS_HOST, hostName } from '../lib/topology.mjs';

/** @param {import('../lib/topology.mjs').ProxyEnv} env @param {import('../lib/topology.mjs').ProxyConfig} config */
function nginxConf(env, config) {
  const { dir, port, backendPort, wsPort, cert, cores } = env;
  const listen = `listen 127.0.0.1:${port}${config.tls ? ' ssl' : ''}`;
  const server = (name) => `  server { ${listen}; server_name ${name}; location / { proxy_pass http://app; } }\n`;
  let servers = '';
  for (let i = 0; i < config.routers; i++) servers += server(hostName(i));
  if (config.dummy) servers += server(DUMMY_HOST);
  const paths = nginxPaths(dir);
  return `worker_processes ${cores};
worker_rlimit_nofile 65536;
${paths.main}
events { worker_connections 16384; }
http {
  access_log off;
${paths.http}
  server_names_hash_max_size 65536;
  server_names_hash_bucket_size 128;
  # Like the other proxies: no cap on requests per client connection.
  keepalive_requests 10000000;
  keepalive_timeout 75s;
${config.tls ? `  ssl_certificate ${cert.certFile};\n  ssl_certificate_key ${cert.keyFile};\n  ssl_session_cache shared:SSL:10m;\n` : ''}
  upstream app {
    server 127.0.0.1:${backendPort};
    keepalive 128;
    # nginx would otherwise close a pooled upstream connection after 1000 requests (Go and Node do not).
    keepalive_requests 10000000;
    keepalive_timeout 60s;
  }
  upstream ws { server 127.0.0.1:${wsPort}; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $host;
  # Buffers stay in memory: nginx never spools a response to disk, so it streams like the other proxies.
  proxy_max_temp_file_size 0;

  server { ${listen} default_server; server_name _; return 404; }
  server {
    ${listen}; server_name ${WS_HOST};
    location / {
      proxy_pass http://ws;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
    }
  }
${servers}}
`;
}

function writeConf(env, config) {
  const file = join(env.dir, 'nginx.conf');
  writeAtomic(file, nginxConf(env, config));
  return file;
}

/** @type {import('../lib/topology.mjs').ProxyAdapter} */
export const nginx = {
  name: 'nginx',
  binaries: ['nginx'],
  summary: 'worker_processes = cores, one server block per router, upstream keepalive 128 + proxy_http_version 1.1, buffers in memory only',
  async start(env, config) {
    mkdirSync(join(env.dir, 'tmp'), { recursive: true });
    const file = writeConf(env, config);
    const entry = spawnTracked('nginx', 'nginx', ['-e', 'stderr', '-p', env.dir, '-c', file, '-g', 'daemon off;']);
    return {
      entry,
      async apply(next) {
        writeConf(env, next);
        process.kill(entry.pid, 'SIGHUP');
      },
    };
  },
};
