import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export interface WhoamiOptions {
  /** Host to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  readonly host: string;
  readonly port: number;
  /** Shown as `Name:` so replicas can be told apart (traefik/whoami's WHOAMI_NAME). */
  readonly name?: string;
}

/**
 * A tiny demo backend that answers with the request it received, like the traefik/whoami image, so that
 * examples and tests need no image from a registry. Paths: `/` (text), `/api` (JSON), `/health` (200, or the
 * code POSTed to it), `/data?size=N` (N bytes), and `?wait=500ms` delays any answer.
 */
export function createWhoamiServer(options: WhoamiOptions): Server {
  let healthStatus = 200;
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://whoami.local');
    const wait = parseWait(url.searchParams.get('wait'));
    setTimeout(() => {
      if (url.pathname === '/health') {
        if (req.method === 'POST') {
          readBody(req).then((body) => {
            const code = Number(body.trim());
            if (Number.isInteger(code) && code >= 100 && code <= 599) healthStatus = code;
            res.end();
          }, () => res.end());
          return;
        }
        res.writeHead(healthStatus).end();
        return;
      }
      if (url.pathname === '/data') return sendData(res, Number(url.searchParams.get('size') ?? '1'));
      if (url.pathname === '/api') return sendJson(req, res, options);
      sendText(req, res, options);
    }, wait);
  });
}

function parseWait(value: string | null): number {
  if (value === null) return 0;
  const match = /^(\d+)(ms|s)?$/.exec(value);
  if (match === null) return 0;
  return Math.min(60_000, Number(match[1]) * (match[2] === 's' ? 1000 : 1));
}

function addresses(): string[] {
  return Object.values(networkInterfaces()).flat().flatMap((info) => (info === undefined ? [] : [info.address]));
}

function sendText(req: IncomingMessage, res: ServerResponse, options: WhoamiOptions): void {
  const lines = [
    ...(options.name === undefined ? [] : [`Name: ${options.name}`]),
    `Hostname: ${hostname()}`,
    ...addresses().map((ip) => `IP: ${ip}`),
    `RemoteAddr: ${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
    `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`,
  ];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${lines.join('\n')}\n`);
}

function sendJson(req: IncomingMessage, res: ServerResponse, options: WhoamiOptions): void {
  const body = JSON.stringify({
    name: options.name ?? '',
    hostname: hostname(),
    ip: addresses(),
    headers: req.headers,
    url: req.url,
    host: req.headers.host ?? '',
    method: req.method,
    remoteAddr: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

function sendData(res: ServerResponse, size: number): void {
  const total = Number.isFinite(size) && size > 0 ? Math.min(Math.floor(size), 1 << 30) : 1;
  const chunk = Buffer.alloc(Math.min(total, 64 * 1024), 'A');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += part.length;
      if (!res.write(part)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk.length + body.length > 1024 ? '' : chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
