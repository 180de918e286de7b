import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../helpers/certs.js';
import { startBerth, type StartedBerth } from '../helpers/start-berth.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The entrypoint's HTTP/1.1 fast path (src/entrypoints/fast-path/) must be invisible: the same bytes reach the
 * server and the same answer reaches the client as through node:http and the middleware chain. Routers under
 * `/f/` have no middleware (the fast path serves them); routers under `/s/` have a pass-through middleware
 * (inFlightReq with a high limit), so node:http serves them. A raw TCP backend records the exact request head and
 * answers what each path asks for.
 */

const ANSWERS: Readonly<Record<string, string>> = {
  '/length': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Server: raw\r\nContent-Length: 5\r\n\r\nhello',
  '/chunked': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  '/trailers': 'HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: 42\r\n\r\n',
  '/hop': 'HTTP/1.1 201 Created\r\nConnection: keep-alive, X-Listed\r\nKeep-Alive: timeout=9\r\nX-Listed: drop me\r\nProxy-Connection: x\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\nhi',
  '/empty': 'HTTP/1.1 204 No Content\r\nX-Empty: 1\r\n\r\n',
  '/not-modified': 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n',
  '/until-close': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nall of it',
  '/dated': 'HTTP/1.1 200 OK\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n',
  '/hinted': 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
};

interface RawBackend {
  readonly url: string;
  /** Request heads received, by path without the /f or /s prefix. */
  readonly heads: Map<string, string[]>;
  close(): Promise<void>;
}

async function startRawBackend(): Promise<RawBackend> {
  const heads = new Map<string, string[]>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const target = head.split(' ')[1] ?? '/';
        const path = target.replace(/^\/[fs]/, '').replace(/\?.*$/, '');
        heads.set(path, [...(heads.get(path) ?? []), head.replace(/ \/[fs]\//, ' /')]);
        if (path === '/slow') {
          setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow'), 400);
          continue;
        }
        const answer = ANSWERS[path] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ndefault';
        if (head.startsWith('HEAD ')) socket.write(answer.slice(0, answer.indexOf('\r\n\r\n') + 4));
        else if (path === '/until-close') socket.end(answer);
        else socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

interface Answer {
  readonly status: number;
  /** Raw headers without Date (which changes every second). */
  readonly headers: string[];
  readonly trailers: string[];
  readonly body: string;
}

/** Reads a whole response into an Answer. */
function answerOf(res: IncomingMessage, resolve: (answer: Answer) => void): void {
  let body = '';
  res.setEncoding('latin1');
  res.on('data', (chunk: string) => {
    body += chunk;
  });
  res.on('end', () => {
    const raw: string[] = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      if ((res.rawHeaders[i] as string).toLowerCase() !== 'date') raw.push(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
    }
    resolve({ status: res.statusCode ?? 0, headers: raw, trailers: res.rawTrailers, body });
  });
}

function ask(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => answerOf(res, resolve));
    req.on('error', reject);
    req.end();
  });
}

/** Writes `bytes` on one raw connection and collects what comes back until the server closes or `quietMs` passes. */
function rawExchange(port: number, bytes: string, quietMs = 600): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer = setTimeout(() => socket.destroy(), quietMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), quietMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(bytes);
  });
}

/** The status codes of every response in a raw byte stream, in order. */
function statuses(stream: string): number[] {
  return [...stream.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

describe('the HTTP/1.1 fast path', { timeout: 60_000 }, () => {
  let backend: RawBackend;
  let berth: StartedBerth;
  let port: number;

  before(async () => {
    backend = await startRawBackend();
    berth = await startBerth({
      staticYaml: `
entryPoints:
  web:
    address: "127.0.0.1:0"
    transport:
      respondingTimeouts: { readTimeout: 1s }
  limited:
    address: "127.0.0.1:0"
    transport:
      keepAliveMaxRequests: 2
`,
      dynamic: {
        'app.yml': `
http:
  routers:
    fast: { rule: "PathPrefix(\`/f/\`)", service: raw }
    slow: { rule: "PathPrefix(\`/s/\`)", service: raw, middlewares: [pass] }
    none-fast: { rule: "PathPrefix(\`/none/f\`)", service: empty }
    none-slow: { rule: "PathPrefix(\`/none/s\`)", service: empty, middlewares: [pass] }
    refused-fast: { rule: "PathPrefix(\`/refused/f\`)", service: refused }
    refused-slow: { rule: "PathPrefix(\`/refused/s\`)", service: refused, middlewares: [pass] }
  middlewares:
    pass: { inFlightReq: { amount: 100000 } }
  services:
    raw: { loadBalancer: { servers: [{ url: "${backend.url}" }] } }
    empty: { loadBalancer: { servers: [] } }
    refused: { loadBalancer: { servers: [{ url: "http://127.0.0.1:1" }] } }
`,
      },
    });
    await berth.nextGeneration(0);
    port = berth.port('web');
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
  });

  const fastServed = (): number => berth.berth.entryPoints.get('web')?.fastPathRequests ?? -1;

  for (const path of Object.keys(ANSWERS)) {
    for (const method of path === '/length' || path === '/chunked' ? ['GET', 'HEAD'] : ['GET']) {
      it(`${method} ${path}: the same request reaches the server and the same answer the client, fast or not`, async () => {
        const headers = { 'x-client': 'c', 'x-forwarded-for': '203.0.113.9', te: 'trailers', accept: '*/*' };
        const served = fastServed();
        const fast = await ask(port, method, `/f${path}?q=1`, headers);
        assert.equal(fastServed(), served + 1, 'the fast path served /f');
        const slow = await ask(port, method, `/s${path}?q=1`, headers);
        assert.equal(fastServed(), served + 1, 'node:http served /s');
        assert.deepEqual(fast, slow);
        const [fastHead, slowHead] = (backend.heads.get(path) ?? []).slice(-2);
        assert.equal(fastHead, slowHead);
        assert.match(fastHead ?? '', /\r\nx-forwarded-for: 127\.0\.0\.1\r\n/, 'an untrusted client\'s X-Forwarded-For is replaced');
      });
    }
  }

  it('a request with more than 32 header fields and a long URL (parsed in batches) arrives whole, fast or not', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) headers[`x-field-${i}`] = `value ${i}`;
    const query = `q=${'u'.repeat(3000)}`;
    const served = fastServed();
    const fast = await ask(port, 'GET', `/f/many?${query}`, headers);
    assert.equal(fastServed(), served + 1, 'the fast path served it');
    const slow = await ask(port, 'GET', `/s/many?${query}`, headers);
    assert.deepEqual(fast, slow);
    const [fastHead, slowHead] = (backend.heads.get('/many') ?? []).slice(-2);
    assert.equal(fastHead, slowHead);
    assert.ok(fastHead?.includes(`/many?${query} HTTP/1.1`), 'the whole URL reached the server');
    for (let i = 0; i < 40; i++) assert.ok(fastHead?.includes(`\r\nx-field-${i}: value ${i}`), `x-field-${i} reached the server`);
  });

  it('answers 503 for a service without servers and 502 for a refused connection, as node:http does', async () => {
    const unavailable = await ask(port, 'GET', '/none/f');
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body, 'no available server\n');
    assert.deepEqual(unavailable, await ask(port, 'GET', '/none/s'));
    const refused = await ask(port, 'GET', '/refused/f');
    assert.equal(refused.status, 502);
    assert.equal(refused.body, 'Bad Gateway\n');
    assert.deepEqual(refused, await ask(port, 'GET', '/refused/s'));
  });

  it('serves fast requests, hands a request with a body to node:http, and keeps serving on the same connection', async () => {
    const stream = await rawExchange(port, [
      'GET /f/length HTTP/1.1\r\nHost: a\r\n\r\n',
      'POST /f/length HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody',
      'GET /f/chunked HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /nothing-routes-here HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /f/length HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    ].join(''));
    assert.deepEqual(statuses(stream), [200, 200, 200, 404, 200]);
    assert.equal(stream.split('hello').length - 1, 4, 'four bodies from the server');
  });

  it('answers pipelined requests in order', async () => {
    const stream = await rawExchange(port, 'GET /f/slow HTTP/1.1\r\nHost: a\r\n\r\nGET /f/length HTTP/1.1\r\nHost: a\r\n\r\nGET /f/empty HTTP/1.1\r\nHost: a\r\n\r\n', 1500);
    assert.deepEqual(statuses(stream), [200, 200, 204]);
    assert.ok(stream.indexOf('slow') < stream.indexOf('hello'));
  });

  it('refuses a malformed request with 400 and oversized headers with 431, then closes', async () => {
    assert.match(await rawExchange(port, 'GET /f/length HTTP/1.1\r\nHost a\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(await rawExchange(port, `GET /f/length HTTP/1.1\r\nHost: a\r\nX-Big: ${'x'.repeat(1024 * 1024 + 10)}\r\n\r\n`), /^HTTP\/1\.1 431 /);
    const after200 = await rawExchange(port, 'GET /f/length HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n');
    assert.deepEqual(statuses(after200), [200, 400]);
  });

  it('answers 408 to a request head that takes longer than readTimeout', async () => {
    const started = Date.now();
    const stream = await rawExchange(port, 'GET /f/length HTTP/1.1\r\nHost: a\r\n', 5000);
    assert.match(stream, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 4500);
  });

  it('closes the connection after keepAliveMaxRequests, on the fast path too', async () => {
    const stream = await rawExchange(berth.port('limited'), 'GET /f/length HTTP/1.1\r\nHost: a\r\n\r\nGET /f/length HTTP/1.1\r\nHost: a\r\n\r\nGET /f/length HTTP/1.1\r\nHost: a\r\n\r\n', 2000);
    assert.deepEqual(statuses(stream), [200, 200]);
    assert.match(stream, /connection: close\r\n/i);
  });

  it('hands requests that need node:http over unchanged: duplicates, HTTP/1.0, Expect, upgrades', async () => {
    const duplicate = await rawExchange(port, 'GET /f/length HTTP/1.1\r\nHost: a\r\nAccept: a\r\nAccept: b\r\nConnection: close\r\n\r\n');
    assert.deepEqual(statuses(duplicate), [200]);
    assert.match(backend.heads.get('/length')?.at(-1) ?? '', /\r\naccept: a, b\r\n/);
    assert.match(await rawExchange(port, 'GET /f/length HTTP/1.0\r\nHost: a\r\n\r\n'), /^HTTP\/1\.1 200 /);
    const expect = await rawExchange(port, 'POST /f/length HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok');
    assert.deepEqual(statuses(expect), [100, 200]);
  });

  it('closes a connection whose client stops sending (half-close) at once, as node:http does', async () => {
    const started = Date.now();
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.end());
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      socket.on('close', () => resolve(received));
    });
    assert.equal(closed, '');
    assert.ok(Date.now() - started < 2000, `closed after ${Date.now() - started} ms`);
  });

  it('lets a fast request in flight finish on shutdown', async () => {
    const extra = await startBerth({
      staticYaml: 'entryPoints:\n  web:\n    address: "127.0.0.1:0"\n',
      dynamic: { 'app.yml': `http:\n  routers:\n    fast: { rule: "PathPrefix(\`/\`)", service: raw }\n  services:\n    raw: { loadBalancer: { servers: [{ url: "${backend.url}" }] } }\n` },
    });
    await extra.nextGeneration(0);
    const seen = backend.heads.get('/slow')?.length ?? 0;
    const pending = ask(extra.port('web'), 'GET', '/f/slow');
    await waitFor(() => (backend.heads.get('/slow')?.length ?? 0) > seen, 2000, 'the slow request to reach the server');
    const closing = extra.close();
    const answer = await pending;
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'slow');
    assert.ok(answer.headers.includes('close'), 'Connection: close during shutdown');
    await closing;
  });
});

describe('the HTTP/1.1 fast path over TLS', { timeout: 60_000 }, () => {
  let backend: RawBackend;
  let berth: StartedBerth;
  let ca: TestCa;
  let port: number;

  before(async () => {
    backend = await startRawBackend();
    ca = await createTestCa();
    const site = await ca.issue(['a.test', 'strict.test']);
    const clientCa = await createTestCa('Client CA');
    const indent = (pem: string): string => pem.trim().split('\n').join('\n          ');
    berth = await startBerth({
      staticYaml: 'entryPoints:\n  websecure:\n    address: "127.0.0.1:0"\n    http:\n      tls: {}\n',
      dynamic: {
        'app.yml': `
http:
  routers:
    fast: { rule: "PathPrefix(\`/f/\`)", service: raw }
    slow: { rule: "PathPrefix(\`/s/\`)", service: raw, middlewares: [pass] }
    strict: { rule: "Host(\`strict.test\`)", service: raw, priority: 1000, tls: { options: strict } }
  middlewares:
    pass: { inFlightReq: { amount: 100000 } }
  services:
    raw: { loadBalancer: { servers: [{ url: "${backend.url}" }] } }
tls:
  certificates:
    - certFile: |
          ${indent(site.certPem)}
      keyFile: |
          ${indent(site.keyPem)}
  options:
    strict:
      clientAuth:
        clientAuthType: RequireAndVerifyClientCert
        caFiles:
          - |
            ${clientCa.certPem.trim().split('\n').join('\n            ')}
`,
      },
    });
    await berth.nextGeneration(0);
    port = berth.port('websecure');
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
  });

  const askTls = (path: string, host = 'a.test'): Promise<Answer> => new Promise((resolve, reject) => {
    const options: HttpsRequestOptions = { host: '127.0.0.1', port, path, servername: 'a.test', ca: ca.certPem, headers: { host, te: 'trailers' }, agent: false };
    const req = httpsRequest(options, (res) => answerOf(res, resolve));
    req.on('error', reject);
    req.end();
  });

  for (const path of ['/length', '/chunked', '/trailers']) {
    it(`GET ${path} over TLS: the same request and answer, fast or not`, async () => {
      const served = berth.berth.entryPoints.get('websecure')?.fastPathRequests ?? -1;
      const fast = await askTls(`/f${path}`);
      assert.equal(berth.berth.entryPoints.get('websecure')?.fastPathRequests, served + 1, 'the fast path served /f');
      assert.deepEqual(fast, await askTls(`/s${path}`));
      const [fastHead, slowHead] = (backend.heads.get(path) ?? []).slice(-2);
      assert.equal(fastHead, slowHead);
      assert.match(fastHead ?? '', /\r\nx-forwarded-proto: https\r\n/);
    });
  }

  it('closes a TLS connection whose client ends it right after the handshake, at once', async () => {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'a.test', ca: ca.certPem, ALPNProtocols: ['http/1.1'] }, () => socket.end());
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });
    assert.ok(Date.now() - started < 2000, `closed after ${Date.now() - started} ms`);
  });

  it('answers 421 to a request for a host under stricter TLS options than the connection\'s (node:http does)', async () => {
    const served = berth.berth.entryPoints.get('websecure')?.fastPathRequests ?? -1;
    assert.equal((await askTls('/f/length', 'strict.test')).status, 421);
    assert.equal(berth.berth.entryPoints.get('websecure')?.fastPathRequests, served);
  });
});
