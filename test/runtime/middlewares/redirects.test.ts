import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildErrors, send, serveMiddleware, tlsOptions, type SendOptions } from './harness.js';

interface Case {
  desc: string;
  config: Record<string, unknown>;
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  secured?: boolean;
  location?: string;
  status: number;
}

async function run(c: Case): Promise<void> {
  const served = await serveMiddleware(c.config, undefined, { trustForwardHeaders: true, ...(c.secured ? { tls: tlsOptions() } : {}) });
  try {
    const options: SendOptions = { method: c.method ?? 'GET', path: c.path ?? '/', headers: { host: c.host, ...c.headers } };
    const reply = await send(served.url, options);
    assert.equal(reply.status, c.status, c.desc);
    assert.equal(reply.headers.location, c.location, c.desc);
    if (c.status >= 300 && c.status < 400 && c.method !== 'HEAD') {
      const texts: Record<number, string> = { 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };
      assert.equal(reply.text, texts[c.status]);
    }
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/redirect/redirect_scheme_test.go (origin-form targets, so locations end in "/").
const schemeCases: Case[] = [
  { desc: 'HTTP to HTTPS', config: { scheme: 'https' }, host: 'foo', location: 'https://foo/', status: 302 },
  { desc: 'HTTP to HTTPS, with X-Forwarded-Proto', config: { scheme: 'https' }, host: 'foo', headers: { 'x-forwarded-proto': 'http' }, location: 'https://foo/', status: 302 },
  { desc: 'HTTP to HTTPS, with X-Forwarded-Proto to HTTPS', config: { scheme: 'https' }, host: 'foo', headers: { 'x-forwarded-proto': 'https' }, status: 200 },
  { desc: 'X-Forwarded-Proto to unknown value', config: { scheme: 'https' }, host: 'foo', headers: { 'x-forwarded-proto': 'bar' }, location: 'https://foo/', status: 302 },
  { desc: 'X-Forwarded-Proto to ws', config: { scheme: 'https' }, host: 'foo', headers: { 'x-forwarded-proto': 'ws' }, location: 'https://foo/', status: 302 },
  { desc: 'X-Forwarded-Proto to wss', config: { scheme: 'https' }, host: 'foo', headers: { 'x-forwarded-proto': 'wss' }, status: 200 },
  { desc: 'HTTP with port to HTTPS without port', config: { scheme: 'https' }, host: 'foo:8080', location: 'https://foo/', status: 302 },
  { desc: 'HTTP without port to HTTPS with port', config: { scheme: 'https', port: '8443' }, host: 'foo', location: 'https://foo:8443/', status: 302 },
  { desc: 'HTTP with port to HTTPS with port', config: { scheme: 'https', port: '8443' }, host: 'foo:8000', location: 'https://foo:8443/', status: 302 },
  { desc: 'HTTPS with port to HTTPS with port', config: { scheme: 'https', port: '8443' }, host: 'foo:8000', secured: true, location: 'https://foo:8443/', status: 302 },
  { desc: 'HTTPS with port to HTTPS without port', config: { scheme: 'https' }, host: 'foo:8000', secured: true, location: 'https://foo/', status: 302 },
  { desc: 'path and query are kept', config: { scheme: 'https' }, host: 'foo:8000', path: '/theother?a=1', secured: true, location: 'https://foo/theother?a=1', status: 302 },
  { desc: 'HTTP to HTTPS permanent', config: { scheme: 'https', port: '8443', permanent: true }, host: 'foo', location: 'https://foo:8443/', status: 301 },
  { desc: 'POST is redirected with 307', config: { scheme: 'https' }, host: 'foo', method: 'POST', location: 'https://foo/', status: 307 },
  { desc: 'POST permanent is redirected with 308', config: { scheme: 'https', permanent: true }, host: 'foo', method: 'POST', location: 'https://foo/', status: 308 },
  { desc: 'to HTTP 80', config: { scheme: 'http', port: '80' }, host: 'foo:80', status: 200 },
  { desc: 'to HTTPS 443', config: { scheme: 'https', port: '443' }, host: 'foo:443', secured: true, status: 200 },
  { desc: 'already on HTTPS', config: { scheme: 'https' }, host: 'foo', secured: true, status: 200 },
  { desc: 'HTTP to wss', config: { scheme: 'wss', port: '9443' }, host: 'foo', location: 'wss://foo:9443/', status: 302 },
  { desc: 'HTTP with port to wss without port', config: { scheme: 'wss' }, host: 'foo:5678', location: 'wss://foo/', status: 302 },
  { desc: 'HTTP to HTTPS without port', config: { scheme: 'https' }, host: 'foo:443', location: 'https://foo/', status: 302 },
  { desc: 'HTTP port redirection', config: { scheme: 'http', port: '8181' }, host: 'foo:8080', location: 'http://foo:8181/', status: 302 },
  { desc: 'HTTPS with port 80 to HTTPS without port', config: { scheme: 'https' }, host: 'foo:80', secured: true, location: 'https://foo/', status: 302 },
  { desc: 'IPv6 HTTP to HTTPS without port', config: { scheme: 'https' }, host: '[::1]', location: 'https://[::1]/', status: 302 },
  { desc: 'IPv6 HTTP to HTTPS with port', config: { scheme: 'https', port: '8443' }, host: '[::1]', location: 'https://[::1]:8443/', status: 302 },
  { desc: 'IPv6 HTTP with port 80 to HTTPS without port', config: { scheme: 'https' }, host: '[::1]:80', location: 'https://[::1]/', status: 302 },
  { desc: 'absolute-form request-target', config: { scheme: 'https' }, host: 'foo', path: 'http://bar:8080/x?y', location: 'https://bar/x?y', status: 302 },
];

for (const c of schemeCases) {
  test(`redirectScheme: ${c.desc}`, () => run({ ...c, config: { redirectScheme: c.config } }));
}

test('redirectScheme: X-Forwarded-Proto from an untrusted client is ignored', async () => {
  const served = await serveMiddleware({ redirectScheme: { scheme: 'https' } }, undefined, { trustForwardHeaders: false });
  try {
    const reply = await send(served.url, { headers: { host: 'foo', 'x-forwarded-proto': 'https' } });
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.location, 'https://foo/');
  } finally {
    await served.close();
  }
});

// traefik/traefik pkg/middlewares/redirect/redirect_regex_test.go
const regexCases: Case[] = [
  { desc: 'simple redirection', config: { regex: '^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$', replacement: 'https://${1}bar$2:443$4' }, host: 'foo.com:80', location: 'https://foobar.com:443/', status: 302 },
  { desc: "URL doesn't match regex", config: { regex: '^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$', replacement: 'https://${1}bar$2:443$4' }, host: 'bar.com:80', status: 200 },
  { desc: 'invalid rewritten URL', config: { regex: '^(.*)$', replacement: 'http://192.168.0.%31/' }, host: 'foo.com:80', status: 502 },
  { desc: 'HTTP to HTTPS permanent', config: { regex: '^http://', replacement: 'https://$1', permanent: true }, host: 'foo', location: 'https://foo/', status: 301 },
  { desc: 'HTTPS to HTTP permanent', config: { regex: 'https://foo', replacement: 'http://foo', permanent: true }, host: 'foo', secured: true, location: 'http://foo/', status: 301 },
  { desc: 'HTTP to HTTPS', config: { regex: 'http://foo:80', replacement: 'https://foo:443' }, host: 'foo:80', location: 'https://foo:443/', status: 302 },
  { desc: 'X-Forwarded-Proto does not change the URL matched', config: { regex: 'http://foo:80', replacement: 'https://foo:443' }, host: 'foo:80', headers: { 'x-forwarded-proto': 'https' }, location: 'https://foo:443/', status: 302 },
  { desc: 'HTTPS to HTTP', config: { regex: 'https://foo:443', replacement: 'http://foo:80' }, host: 'foo:443', secured: true, location: 'http://foo:80/', status: 302 },
  { desc: 'HTTP to HTTP', config: { regex: 'http://foo:80', replacement: 'http://foo:88' }, host: 'foo:80', location: 'http://foo:88/', status: 302 },
  { desc: 'HTTP to HTTP POST', config: { regex: '^http://', replacement: 'https://$1' }, host: 'foo', method: 'POST', location: 'https://foo/', status: 307 },
  { desc: 'HTTP to HTTP POST permanent', config: { regex: '^http://', replacement: 'https://$1', permanent: true }, host: 'foo', method: 'POST', location: 'https://foo/', status: 308 },
  { desc: 'HEAD is not GET (307, as in Traefik)', config: { regex: '^http://', replacement: 'https://$1' }, host: 'foo', method: 'HEAD', location: 'https://foo/', status: 307 },
  { desc: 'www-redirect without port', config: { regex: '(https?)://[^/:]+(:[0-9]+)?/(.*)', replacement: '$1://example.com$2/$3', permanent: true }, host: 'www.example.com', path: '/path', location: 'http://example.com/path', status: 301 },
  { desc: 'www-redirect with port', config: { regex: '(https?)://[^/:]+(:[0-9]+)?/(.*)', replacement: '$1://example.com$2/$3', permanent: true }, host: 'www.example.com:8080', path: '/path', location: 'http://example.com:8080/path', status: 301 },
  { desc: 'www-redirect HTTPS without port', config: { regex: '(https?)://[^/:]+(:[0-9]+)?/(.*)', replacement: '$1://example.com$2/$3', permanent: true }, host: 'www.example.com', path: '/path', secured: true, location: 'https://example.com/path', status: 301 },
  { desc: 'a replacement giving the same URL lets the request through', config: { regex: '^(.*)$', replacement: '$1' }, host: 'foo', status: 200 },
];

for (const c of regexCases) {
  test(`redirectRegex: ${c.desc}`, () => run({ ...c, config: { redirectRegex: c.config } }));
}

test('redirectRegex: an invalid regex is a build error', () => {
  assert.match(buildErrors({ redirectRegex: { regex: '^(.*', replacement: '$1' } })[0] ?? '', /BERTH_ERR_INVALID_VALUE.*regex: invalid regular expression/);
});
