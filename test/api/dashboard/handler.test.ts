import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboardHandler, DASHBOARD_SECURITY_HEADERS } from '../../../src/api/dashboard/handler.js';
import { DASHBOARD_ASSETS } from '../../../src/api/dashboard/assets/manifest.js';
import { withDashboard } from '../../../src/api/dashboard/mount.js';
import { createApiHandler } from '../../../src/api/routes.js';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { mutableSource, startDashboardServer, type DashboardServer } from './fixture.js';

// The handler alone, mounted at the root as the internal router sees it after stripPrefix, so tests can send
// any X-Forwarded-Prefix a client could forge.
let direct: Server;
let directUrl: string;
let layout: DashboardServer;

before(async () => {
  const handler = createDashboardHandler();
  direct = createServer((req, res) => handler(req, res, {} as RequestContext));
  await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
  directUrl = `http://127.0.0.1:${(direct.address() as AddressInfo).port}`;
  layout = await startDashboardServer(mutableSource());
});

after(async () => {
  direct.closeAllConnections();
  await new Promise<void>((resolve) => direct.close(() => resolve()));
  await layout.close();
});

function assertSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) assert.equal(res.headers.get(name), value, name);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
}

test('the page is HTML with strict security headers, no-cache and an ETag', async () => {
  const res = await fetch(`${directUrl}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{27}"$/);
  assertSecurityHeaders(res);
  const body = await res.text();
  assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(body));
  assert.match(body, /<script type="module" src="app\.js"><\/script>/);
  assert.equal((await fetch(`${directUrl}/index.html`)).headers.get('etag'), res.headers.get('etag'));
});

test('every file the page and its modules refer to is served with its type, and none is external', async () => {
  const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
  const index = await (await fetch(`${directUrl}/`)).text();
  const wanted = new Set([...index.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1] ?? ''));
  for (const asset of DASHBOARD_ASSETS.filter((a) => a.contentType.startsWith('text/javascript'))) {
    for (const m of asset.body.matchAll(/from '([^']+)'/g)) wanted.add(m[1] ?? '');
  }
  wanted.delete('/api/rawdata'); // the <noscript> pointer to the API, same origin
  assert.ok(wanted.size >= 10, [...wanted].join(' '));
  for (const ref of wanted) {
    assert.doesNotMatch(ref, /^(?:[a-z]+:|\/\/)/i, `${ref} must be relative to the dashboard`);
    const path = ref.replace(/^\.\//, '');
    const res = await fetch(`${directUrl}/${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), types[path.slice(path.lastIndexOf('.') + 1)], path);
    assertSecurityHeaders(res);
    await res.arrayBuffer();
  }
});

test('no script builds markup from strings', () => {
  for (const asset of DASHBOARD_ASSETS.filter((a) => a.contentType.startsWith('text/javascript'))) {
    assert.doesNotMatch(asset.body, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setAttribute\('on|srcdoc/, asset.paths[0]);
  }
});

test('If-None-Match with the current ETag gives 304 without a body (weak, listed and * forms too)', async () => {
  const first = await fetch(`${directUrl}/app.js`);
  await first.arrayBuffer();
  const etag = first.headers.get('etag') ?? '';
  for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const res = await fetch(`${directUrl}/app.js`, { headers: { 'if-none-match': header } });
    assert.equal(res.status, 304, header);
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assertSecurityHeaders(res);
    assert.equal(await res.text(), '');
  }
  const stale = await fetch(`${directUrl}/app.js`, { headers: { 'if-none-match': '"stale"' } });
  assert.equal(stale.status, 200);
  assert.ok((await stale.text()).length > 0);
  const css = await fetch(`${directUrl}/style.css`, { headers: { 'if-none-match': etag } });
  assert.equal(css.status, 200, 'an ETag is per file');
  assert.notEqual(css.headers.get('etag'), etag);
  await css.arrayBuffer();
});

test('HEAD answers the headers of GET without a body, and 304 too', async () => {
  const get = await fetch(`${directUrl}/style.css`);
  const body = await get.arrayBuffer();
  const head = await fetch(`${directUrl}/style.css`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), body.byteLength);
  assert.equal(head.headers.get('etag'), get.headers.get('etag'));
  assert.equal(head.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  const conditional = await fetch(`${directUrl}/style.css`, { method: 'HEAD', headers: { 'if-none-match': get.headers.get('etag') ?? '' } });
  assert.equal(conditional.status, 304);
});

test('unknown paths get 404 and other methods 405, both with the security headers', async () => {
  for (const path of ['/nope.js', '/dashboard/app.js', '/%61pp.js', '/app.js/', '/assets/app-js.ts', '/app.js%00', '/index.html/']) {
    const res = await fetch(`${directUrl}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(await res.text(), '404 page not found\n');
    assertSecurityHeaders(res);
  }
  const post = await fetch(`${directUrl}/`, { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  assertSecurityHeaders(post);
  await post.arrayBuffer();
  const query = await fetch(`${directUrl}/app.js?v=2`);
  assert.equal(query.status, 200, 'a query string does not change the file');
  await query.arrayBuffer();
});

test('/dashboard without its slash is sent to /dashboard/, and a forged prefix never redirects elsewhere', async () => {
  const res = await fetch(`${layout.origin}/dashboard`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), '/dashboard/');
  await res.arrayBuffer();
  const slash = await fetch(`${layout.origin}/dashboard/`, { redirect: 'manual' });
  assert.equal(slash.status, 200);
  await slash.arrayBuffer();
  const sub = await fetch(`${directUrl}/`, { redirect: 'manual', headers: { 'x-forwarded-prefix': '/admin/berth' } });
  assert.equal(sub.headers.get('location'), '/admin/berth/', 'a deeper mount point works too');
  await sub.arrayBuffer();
  for (const forged of ['//evil.example', 'https://evil.example', '/ok, //evil.example', '/a/../..', '/x\\evil', '/dashboard/']) {
    const forgedRes = await fetch(`${directUrl}/`, { redirect: 'manual', headers: { 'x-forwarded-prefix': forged } });
    assert.equal(forgedRes.status, 200, forged);
    assert.equal(forgedRes.headers.get('location'), null, forged);
    await forgedRes.arrayBuffer();
  }
});

test('withDashboard: api@internal in secure mode serves the dashboard under /dashboard/ and the API elsewhere', async () => {
  const source = mutableSource();
  const handler = withDashboard(createApiHandler(source), createDashboardHandler());
  const server = createServer((req, res) => handler(req, res, {} as RequestContext));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const page = await fetch(`${origin}/dashboard/`, { redirect: 'manual' });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    await page.arrayBuffer();
    const script = await fetch(`${origin}/dashboard/app.js?x=1`);
    assert.equal(script.status, 200);
    await script.arrayBuffer();
    const bare = await fetch(`${origin}/dashboard`, { redirect: 'manual', headers: { 'x-forwarded-prefix': '//evil.example' } });
    assert.equal(bare.status, 302);
    assert.equal(bare.headers.get('location'), '/dashboard/', 'the forged header is replaced');
    await bare.arrayBuffer();
    const api = await fetch(`${origin}/api/version`);
    assert.deepEqual(await api.json(), source.version);
    const other = await fetch(`${origin}/dashboardx/app.js`);
    assert.equal(other.status, 404);
    assert.equal(other.headers.get('content-type'), 'application/json', 'not the dashboard: the API answered');
    await other.arrayBuffer();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
