// Reference points from ENVIRONMENT.md's table, with none of Traefik's semantics (no header rules, no error
// mapping): a bare undici Pool.stream forwarder, or bare http-proxy-3 with a keep-alive Agent.
// Usage: node forwarders-baseline.mjs <undici|http-proxy> <backend-url>
import { Agent, createServer } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { Pool } from 'undici';

const [mode, backend] = process.argv.slice(2);
let handle;
if (mode === 'undici') {
  const pool = new Pool(backend, { connections: 256, pipelining: 1 });
  handle = (req, res) => pool.stream({ path: req.url, method: req.method, headers: { host: req.headers.host ?? '' }, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, ({ statusCode, headers }) => {
    res.writeHead(statusCode, headers);
    return res;
  }, (err) => {
    if (err && !res.headersSent) res.writeHead(502).end();
  });
} else {
  const proxy = createProxyServer({ target: backend, agent: new Agent({ keepAlive: true, maxSockets: 256 }) });
  proxy.on('error', (_err, _req, res) => res.writeHead?.(502).end());
  handle = (req, res) => proxy.web(req, res);
}
const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => handle(req, res));
process.on('SIGINT', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
