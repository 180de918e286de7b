import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Handler } from '../../../src/runtime/handler.js';
import { startBackend, type Backend } from '../../helpers/backend.js';
import { buildErrors, echo, send, serveMiddleware, type SendOptions } from './harness.js';

type AuthHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** An auth server that records what it received (headers and body) and answers with `handler`. */
async function authServer(handler: AuthHandler): Promise<Backend & { bodies: string[] }> {
  const bodies: string[] = [];
  const backend = await startBackend('auth', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      handler(req, res, Buffer.concat(chunks).toString());
    });
  });
  return Object.assign(backend, { bodies });
}

async function through(config: Record<string, unknown>, auth: AuthHandler, request: SendOptions = {}, terminal: Handler = echo) {
  const server = await authServer(auth);
  const served = await serveMiddleware({ forwardAuth: { address: `${server.url}/verify?x=1`, ...config } }, terminal);
  try {
    const reply = await send(served.url, request);
    return { reply, seen: server.requests, bodies: server.bodies };
  } finally {
    await served.close();
    await server.close();
  }
}

const ok: AuthHandler = (_req, res) => {
  res.end('ok');
};

// traefik/traefik pkg/middlewares/auth/forward_test.go
test('forwardAuth: a refusal goes back to the client with its status, headers and body', async () => {
  const { reply } = await through({}, (_req, res) => {
    res.setHeader('Proxy-Authenticate', 'test');
    res.setHeader('Set-Cookie', 'example=testing; Path=/');
    res.setHeader('X-Foo', 'bar');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.statusCode = 403;
    res.end('Forbidden\n');
  });
  assert.equal(reply.status, 403);
  assert.equal(reply.text, 'Forbidden\n');
  assert.equal(reply.headers['proxy-authenticate'], 'test');
  assert.deepEqual(reply.headers['set-cookie'], ['example=testing; Path=/']);
  assert.equal(reply.headers['x-foo'], 'bar');
  assert.equal(reply.headers['content-length'], '10');
});

test('forwardAuth: success copies authResponseHeaders and regex matches onto the request; auth cookies replace the backend ones', async () => {
  const backend: Handler = (req, res) => {
    res.setHeader('Set-Cookie', ['authCookie=Backend', 'backendCookie=Backend']);
    res.setHeader('Other-Header', 'BackendHeaderValue');
    res.end(JSON.stringify(req.headers));
  };
  const { reply } = await through({
    authResponseHeaders: ['X-Auth-User', 'X-Auth-Group'],
    authResponseHeadersRegex: '^Foo-',
    addAuthCookiesToResponse: ['authCookie'],
  }, (_req, res) => {
    res.setHeader('X-Auth-User', 'user@example.com');
    res.setHeader('X-Auth-Secret', 'secret');
    res.setHeader('X-Auth-Group', ['group1', 'group2']);
    res.setHeader('Foo-Bar', 'auth-value');
    res.setHeader('Set-Cookie', ['authCookie=Auth', 'authCookieNotAdded=Auth']);
    res.end('Success\n');
  }, { headers: { 'x-auth-group': 'admin_group', 'foo-bar': 'client-value', 'foo-baz': 'client-value' } }, backend);
  assert.equal(reply.status, 200);
  const seen = JSON.parse(reply.text) as Record<string, string>;
  assert.equal(seen['x-auth-user'], 'user@example.com');
  assert.equal(seen['x-auth-secret'], undefined);
  assert.equal(seen['x-auth-group'], 'group1, group2');
  assert.equal(seen['foo-bar'], 'auth-value');
  assert.equal(seen['foo-baz'], undefined, 'a client header matching the regex is removed');
  assert.deepEqual(reply.headers['set-cookie'], ['backendCookie=Backend', 'authCookie=Auth']);
  assert.equal(reply.headers['other-header'], 'BackendHeaderValue');
});

test('forwardAuth: the auth request carries the original request in X-Forwarded-* and drops hop-by-hop headers', async () => {
  const { seen } = await through({}, ok, {
    method: 'POST',
    path: '/path?q=1',
    body: 'payload',
    headers: {
      host: 'foo.bar',
      'x-customheader': 'CustomHeader',
      'proxy-authorization': 'ProxyAuthorization',
      'keep-alive': 'timeout=5',
      te: 'trailers',
      'x-forwarded-host': 'fii.bir',
      'x-forwarded-uri': '/forward?q=1',
      x_forwarded_proto: 'https',
      connection: 'keep-alive, x-drop-me',
      'x-drop-me': 'yes',
    },
  });
  const headers = seen[0]?.headers ?? {};
  assert.equal(seen[0]?.method, 'GET');
  assert.equal(seen[0]?.url, '/verify?x=1');
  assert.equal(headers['x-customheader'], 'CustomHeader');
  assert.equal(headers['proxy-authorization'], 'ProxyAuthorization');
  assert.equal(headers['x-forwarded-method'], 'POST');
  assert.equal(headers['x-forwarded-proto'], 'http');
  assert.equal(headers['x-forwarded-host'], 'foo.bar');
  assert.equal(headers['x-forwarded-uri'], '/path?q=1');
  assert.equal(headers['x-forwarded-port'], '80');
  assert.equal(headers['x-forwarded-for'], '127.0.0.1');
  for (const name of ['keep-alive', 'te', 'x-drop-me', 'x_forwarded_proto']) assert.equal(headers[name], undefined, name);
  assert.equal(headers['content-length'], undefined, 'the body is not forwarded by default');
});

test('forwardAuth: trustForwardHeader keeps the client X-Forwarded-* values; authRequestHeaders filters the rest', async () => {
  const trusted = await through({ trustForwardHeader: true }, ok, { path: '/path?q=1', headers: { host: 'foo.bar', 'x-forwarded-host': 'fii.bir', 'x-forwarded-uri': '/forward?q=1', 'x-forwarded-method': 'OPTIONS', 'x-forwarded-for': '10.0.0.1' } });
  const headers = trusted.seen[0]?.headers ?? {};
  assert.equal(headers['x-forwarded-host'], 'fii.bir');
  assert.equal(headers['x-forwarded-uri'], '/forward?q=1');
  assert.equal(headers['x-forwarded-method'], 'OPTIONS');
  assert.equal(headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
  const filtered = await through({ authRequestHeaders: ['X-CustomHeader'] }, ok, { headers: { 'x-customheader': 'CustomHeader', 'content-type': 'multipart/form-data; boundary=---123456' } });
  const kept = filtered.seen[0]?.headers ?? {};
  assert.equal(kept['x-customheader'], 'CustomHeader');
  assert.equal(kept['content-type'], undefined);
  assert.equal(kept['x-forwarded-method'], 'GET');
});

test('forwardAuth: forwardBody sends the body to the auth server and still to the backend; maxBodySize gives 401', async () => {
  const forwarded = await through({ forwardBody: true, maxBodySize: 100 }, ok, { method: 'POST', body: 'forwardBodyTest' });
  assert.equal(forwarded.bodies[0], 'forwardBodyTest');
  assert.equal(forwarded.reply.echoed.body, 'forwardBodyTest');
  const tooLarge = await through({ forwardBody: true, maxBodySize: 5 }, ok, { method: 'POST', body: 'forwardBodyTest' });
  assert.equal(tooLarge.reply.status, 401);
  assert.equal(tooLarge.seen.length, 0);
  const notForwarded = await through({}, ok, { method: 'POST', body: 'forwardBodyTest' });
  assert.equal(notForwarded.bodies[0], '');
  assert.equal(notForwarded.reply.echoed.body, 'forwardBodyTest');
});

test('forwardAuth: redirects from the auth server, Location resolved or preserved', async () => {
  const absolute = await through({}, (_req, res) => {
    res.writeHead(302, { location: 'http://example.com/redirect-test' });
    res.end('<a href="http://example.com/redirect-test">Found</a>.\n');
  });
  assert.equal(absolute.reply.status, 302);
  assert.equal(absolute.reply.headers.location, 'http://example.com/redirect-test');
  assert.ok(absolute.reply.text.length > 0);
  const relative = await through({}, (_req, res) => {
    res.writeHead(302, { location: '/login?next=x' });
    res.end();
  });
  assert.match(String(relative.reply.headers.location), /^http:\/\/127\.0\.0\.1:\d+\/login\?next=x$/);
  const preserved = await through({ preserveLocationHeader: true }, (_req, res) => {
    res.writeHead(302, { location: '/login?next=x' });
    res.end();
  });
  assert.equal(preserved.reply.headers.location, '/login?next=x');
});

test('forwardAuth: authSigninURL turns a 401 into a redirect', async () => {
  const { reply } = await through({ authSigninURL: 'https://login.example/start' }, (_req, res) => {
    res.statusCode = 401;
    res.end();
  });
  assert.equal(reply.status, 302);
  assert.equal(reply.headers.location, 'https://login.example/start');
});

test('forwardAuth: preserveRequestMethod and maxResponseBodySize', async () => {
  const preserved = await through({ preserveRequestMethod: true }, ok, { method: 'DELETE' });
  assert.equal(preserved.seen[0]?.method, 'DELETE');
  const tooLarge = await through({ maxResponseBodySize: 3 }, (_req, res) => {
    res.end('too long');
  });
  assert.equal(tooLarge.reply.status, 401);
  const fits = await through({ maxResponseBodySize: 3 }, (_req, res) => {
    res.end('ok');
  });
  assert.equal(fits.reply.status, 200);
});

test('forwardAuth: an unreachable auth server gives 500, and the backend is not called', async () => {
  let reached = false;
  const served = await serveMiddleware({ forwardAuth: { address: 'http://127.0.0.1:1/verify' } }, () => {
    reached = true;
  });
  try {
    const reply = await send(served.url);
    assert.equal(reply.status, 500);
    assert.equal(reached, false);
  } finally {
    await served.close();
  }
});

test('forwardAuth: build errors', () => {
  assert.match(buildErrors({ forwardAuth: { address: 'not a url' } })[0] ?? '', /address: "not a url" is not a URL/);
  assert.match(buildErrors({ forwardAuth: { address: 'http://a', authResponseHeadersRegex: '(' } })[0] ?? '', /authResponseHeadersRegex/);
  assert.match(buildErrors({ forwardAuth: { address: 'https://a', tls: { ca: '/nonexistent/ca.pem' } } })[0] ?? '', /BERTH_ERR_FILE_READ.*tls.ca/);
});

test('forwardAuth: an https auth server is verified with tls.ca, and can ask for tls.cert/key', async () => {
  const { createServer } = await import('node:https');
  const { fileURLToPath } = await import('node:url');
  const { fixture } = await import('./harness.js');
  const path = (name: string) => fileURLToPath(new URL(`../../../../test/runtime/middlewares/fixtures/${name}`, import.meta.url));
  const clientNames: string[] = [];
  const auth = createServer({ cert: fixture('server.pem'), key: fixture('server.key'), ca: fixture('ca.pem'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    clientNames.push(String(peer.subject?.CN ?? 'none'));
    res.end('ok');
  });
  await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
  const address = `https://127.0.0.1:${(auth.address() as import('node:net').AddressInfo).port}/`;
  const check = async (tls: Record<string, unknown>) => {
    const served = await serveMiddleware({ forwardAuth: { address, tls } });
    try {
      return (await send(served.url)).status;
    } finally {
      await served.close();
    }
  };
  try {
    assert.equal(await check({ ca: path('ca.pem') }), 200);
    assert.equal(await check({ ca: fixture('ca.pem'), cert: path('client.pem'), key: path('client.key') }), 200);
    assert.deepEqual(clientNames, ['none', 'client.berth.test']);
    assert.equal(await check({}), 500, 'an unknown CA fails verification');
    assert.equal(await check({ insecureSkipVerify: true }), 200);
  } finally {
    auth.closeAllConnections();
    await new Promise<void>((resolve) => auth.close(() => resolve()));
  }
});
