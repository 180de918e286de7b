import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { clientResponseHeaders, isManagedForwardedHeader, upstreamRequestHeaders } from '../../../src/runtime/services/forward-headers.js';
import { upstreamPath, type ForwardTarget } from '../../../src/runtime/services/forward-target.js';
import { TEST_POLICY } from './helpers/harness.js';

function request(headers: IncomingHttpHeaders, raw: string[] = []): IncomingMessage {
  return { headers, rawHeaders: raw } as unknown as IncomingMessage;
}

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    entryPoint: 'websecure', clientIp: '192.0.2.1', clientPort: 5000, localPort: 443, tls: true, trustForwardHeaders: false,
    host: '', serverName: '', routerName: '', serviceName: '', serverUrl: '', upgrade: undefined, startedAt: 0n, ...overrides,
  };
}

const target = (overrides: Partial<ForwardTarget> = {}): ForwardTarget => ({ passHostHeader: true, preservePath: false, basePath: '', authority: 'backend:8080', ...overrides }) as ForwardTarget;

describe('upstream request headers', () => {
  it('marks TLS requests https on 443 and TLS WebSockets wss', () => {
    const plain = upstreamRequestHeaders(request({ host: 'shop.example' }), context(), target(), TEST_POLICY);
    assert.equal(plain['x-forwarded-proto'], 'https');
    assert.equal(plain['x-forwarded-port'], '443');
    const ws = upstreamRequestHeaders(request({ host: 'shop.example', connection: 'Upgrade', upgrade: 'websocket' }), context({ upgrade: { socket: undefined as never, head: Buffer.alloc(0) } }), target(), TEST_POLICY);
    assert.equal(ws['x-forwarded-proto'], 'wss');
    assert.equal(ws['connection'], 'Upgrade');
    assert.equal(ws['upgrade'], 'websocket');
  });

  it('drops the IPv6 zone from X-Real-Ip only, and takes Host from :authority for HTTP/2', () => {
    const headers = upstreamRequestHeaders(request({ ':authority': 'h2.example', ':method': 'GET' }), context({ clientIp: 'fe80::1%eth0' }), target(), TEST_POLICY);
    assert.equal(headers['x-real-ip'], 'fe80::1');
    assert.equal(headers['x-forwarded-for'], 'fe80::1%eth0');
    assert.equal(headers['host'], 'h2.example');
    assert.equal(headers[':authority'], undefined);
    assert.equal(headers['x-forwarded-host'], 'h2.example');
  });

  it('sends the server authority as written when passHostHeader is false', () => {
    assert.equal(upstreamRequestHeaders(request({ host: 'shop.example' }), context(), target({ passHostHeader: false, authority: 'backend:80' }), TEST_POLICY)['host'], 'backend:80');
  });

  it('recognises managed headers in their underscore spellings only', () => {
    assert.equal(isManagedForwardedHeader('x_forwarded_for'), true);
    assert.equal(isManagedForwardedHeader('x-forwarded-tls-client-cert-info'), true);
    assert.equal(isManagedForwardedHeader('x_custom'), false);
    assert.equal(isManagedForwardedHeader('forwarded'), false);
  });
});

describe('response headers', () => {
  it('removes hop-by-hop and Connection-listed headers from raw lists, and reports announced trailers', () => {
    const out: string[] = [];
    const trailer = clientResponseHeaders([Buffer.from('Connection'), Buffer.from('close, X-Drop'), Buffer.from('X-Drop'), Buffer.from('1'), Buffer.from('Trailer'), Buffer.from('X-Sum'), Buffer.from('Content-Type'), Buffer.from('text/plain')], out);
    assert.deepEqual(out, ['Content-Type', 'text/plain']);
    assert.equal(trailer, 'X-Sum');
  });
});

describe('upstream path', () => {
  it('keeps the request target, joins the server path only with preservePath, and rewrites ";" in the query', () => {
    assert.equal(upstreamPath('/a/../b?x=1', target()), '/a/../b?x=1');
    assert.equal(upstreamPath('http://shop.example/p?q=1', target()), '/p?q=1');
    assert.equal(upstreamPath('/p;v=1?a=1;b=2', target()), '/p;v=1?a=1&b=2');
    assert.equal(upstreamPath('/x', target({ preservePath: true, basePath: '/api' })), '/api/x');
    assert.equal(upstreamPath('/x', target({ preservePath: true, basePath: '/api/' })), '/api/x');
    assert.equal(upstreamPath('/', target({ preservePath: true, basePath: '' })), '/');
  });
});
