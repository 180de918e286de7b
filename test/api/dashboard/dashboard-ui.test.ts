import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ErrorCodes } from '../../../src/errors/codes.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  BROKEN_ROUTER_ISSUE, XSS_ISSUE, XSS_NAME, YAML_ISSUE, buildStatus, element, mutableSource, startDashboardServer,
  type DashboardServer, type MutableSource,
} from './fixture.js';

// One Debian Chromium for the whole file (ENVIRONMENT.md); each test gets a fresh context (own storage).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--disable-quic', '--no-first-run'];

let browser: Browser;
let server: DashboardServer;
let source: MutableSource;

before(async () => {
  source = mutableSource();
  server = await startDashboardServer(source);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(() => {
  source.current = buildStatus(1);
  source.down.clear();
  source.down.add('http://127.0.0.1:8082');
});

interface Session {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, uncaught exceptions, dialogs (alert from injected markup) and requests off loopback. */
  readonly problems: string[];
  /** Asserts that nothing went wrong, then closes the context. */
  finish(): Promise<void>;
}

async function open(hash: string, options: { width?: number; allowConsole?: RegExp } = {}): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1200, height: 900 } });
  const problems: string[] = [];
  context.on('request', (request) => {
    if (new URL(request.url()).hostname !== '127.0.0.1') problems.push(`request to ${request.url()}`);
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && options.allowConsole?.test(message.text()) !== true) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${server.origin}/dashboard/${hash}`);
  return {
    page,
    context,
    problems,
    async finish() {
      try {
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    },
  };
}

async function rowNames(page: Page): Promise<string[]> {
  return (await page.locator('main tbody th[scope=row]').allTextContents()).sort();
}

async function waitForRows(page: Page, names: string[]): Promise<void> {
  const wanted = [...names].sort();
  await waitFor(async () => JSON.stringify(await rowNames(page)) === JSON.stringify(wanted), 5000, `rows ${wanted.join(', ')}`);
}

async function activeId(page: Page): Promise<string> {
  return page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
}

test('overview: counts per section, problems, entrypoints, providers, version; skip link works', async () => {
  const s = await open('');
  const { page } = s;
  const routers = page.getByRole('region', { name: 'HTTP Routers', exact: true });
  await routers.locator('.total').waitFor();
  assert.equal(await routers.locator('.total').textContent(), '5');
  assert.deepEqual(await routers.locator('li').allTextContents(), ['2 enabled', '2 warnings', '1 disabled']);
  const services = page.getByRole('region', { name: 'HTTP Services', exact: true });
  assert.equal(await services.locator('.total').textContent(), '3');
  assert.deepEqual(await services.locator('li').allTextContents(), ['2 enabled', '0 warnings', '1 disabled']);
  assert.equal(await page.getByRole('region', { name: 'HTTP Middlewares', exact: true }).locator('.total').textContent(), '2');
  assert.equal(await page.getByRole('region', { name: 'TCP Routers', exact: true }).locator('.total').textContent(), '1');
  assert.equal(await page.getByRole('region', { name: 'UDP Routers', exact: true }).count(), 0, 'no UDP elements: no UDP cards');
  assert.equal(await page.locator('[data-proto="tcp"]').isVisible(), true);
  assert.equal(await page.locator('[data-proto="udp"]').isVisible(), false);
  assert.equal(await page.locator('#problem-count').textContent(), '5');
  assert.equal(await page.locator('#problems-link').getAttribute('aria-label'), 'Problems (5)');
  assert.match(await page.locator('.callout').textContent() ?? '', /5 problems/);
  assert.deepEqual(await page.getByRole('region', { name: 'Entrypoints', exact: true }).locator('tbody th').allTextContents(), ['web', 'websecure', 'traefik']);
  assert.deepEqual(await page.getByRole('region', { name: 'Providers', exact: true }).locator('li').allTextContents(), ['Docker', 'File']);
  assert.match(await page.getByRole('region', { name: 'Version', exact: true }).textContent() ?? '', /0\.1\.0-test.*tugboat/);
  await waitFor(async () => (await page.locator('#version').textContent()) === 'Berth 0.1.0-test', 5000, 'version in the footer');
  assert.equal(await page.title(), 'Overview · Berth');
  assert.equal(await page.locator('[data-nav="overview"]').getAttribute('aria-current'), 'page');

  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'skip', 'the skip link is the first stop');
  await page.keyboard.press('Enter');
  assert.equal(await activeId(page), 'main');

  await routers.getByRole('link', { name: '1 disabled' }).click();
  await waitForRows(page, ['broken@docker']);
  assert.ok(page.url().endsWith('#/http/routers?status=disabled'));
  await s.finish();
});

test('navigation: router list, router detail with chain and servers, middleware and service details, back', async () => {
  const s = await open('');
  const { page } = s;
  await page.locator('[data-nav="http/routers"]').click();
  await waitForRows(page, ['api@file', 'broken@docker', 'slow@file', 'web@docker', XSS_NAME]);
  assert.equal(await page.locator('[data-nav="http/routers"]').getAttribute('aria-current'), 'page');

  await page.locator('main th[scope=row] a').filter({ hasText: /^web@docker$/ }).click();
  await page.getByRole('region', { name: 'Service', exact: true }).locator('tbody tr').nth(1).waitFor();
  assert.ok(page.url().endsWith('#/http/routers/web%40docker'));
  assert.match(await page.locator('h1').textContent() ?? '', /web@docker/);
  assert.equal(await page.evaluate<string>('document.activeElement.tagName'), 'H1', 'focus moves to the new page');
  const router = await page.getByRole('region', { name: 'Router', exact: true }).textContent() ?? '';
  for (const text of ['Host(`web.example`)', 'websecure', 'certResolver', 'le', 'Enabled']) assert.ok(router.includes(text), text);
  const chain = page.getByRole('region', { name: 'Middlewares', exact: true }).getByRole('link');
  assert.deepEqual(await chain.allTextContents(), ['auth@file', 'strip@docker']);
  assert.equal(await chain.first().getAttribute('href'), '#/http/middlewares/auth%40file');
  const servers = await page.getByRole('region', { name: 'Service', exact: true }).locator('tbody tr').allTextContents();
  assert.match(servers[0] ?? '', /127\.0\.0\.1:8081.*UP/);
  assert.match(servers[1] ?? '', /127\.0\.0\.1:8082.*DOWN/);

  await chain.first().click();
  await page.getByRole('region', { name: 'Used by', exact: true }).getByRole('link').waitFor();
  assert.match(await page.locator('h1').textContent() ?? '', /auth@file/);
  assert.match(await page.getByRole('region', { name: 'Configuration', exact: true }).textContent() ?? '', /users.*admin:\$apr1\$x\$y/);
  assert.equal(await page.getByRole('region', { name: 'Used by', exact: true }).getByRole('link').getAttribute('href'), '#/http/routers/web%40docker');

  await page.goBack();
  await page.getByRole('region', { name: 'Service', exact: true }).getByRole('link', { name: 'web@docker' }).click();
  await page.getByRole('region', { name: 'Used by', exact: true }).getByRole('link').nth(2).waitFor();
  assert.match(await page.locator('h1').textContent() ?? '', /HTTP service\s*web@docker/);
  assert.deepEqual(await page.getByRole('region', { name: 'Used by', exact: true }).locator('li').allTextContents(),
    ['broken@docker HTTP router', 'web@docker HTTP router', `${XSS_NAME} HTTP router`]);
  await s.finish();
});

test('problems: every disabled or warning element with where, message and code, and issues tied to no element', async () => {
  const s = await open('');
  const { page } = s;
  await page.locator('#problems-link').click();
  const broken = page.getByRole('region', { name: 'Disabled (2)', exact: true }).getByRole('article', { name: 'broken@docker', exact: true });
  await broken.waitFor();
  const text = await broken.textContent() ?? '';
  for (const part of [BROKEN_ROUTER_ISSUE.where, BROKEN_ROUTER_ISSUE.message, BROKEN_ROUTER_ISSUE.code, 'Disabled', 'HTTP router']) assert.ok(text.includes(part), part);
  assert.equal(await broken.locator('code.where').textContent(), BROKEN_ROUTER_ISSUE.where);
  assert.match(await page.getByRole('region', { name: 'Disabled (2)', exact: true }).getByRole('article', { name: 'ghost@docker', exact: true }).textContent() ?? '', /HTTP service.*container ghost-1/);
  const config = await page.getByRole('region', { name: 'Configuration issues (1)', exact: true }).textContent() ?? '';
  assert.ok(config.includes(YAML_ISSUE.where) && config.includes(YAML_ISSUE.message) && config.includes(YAML_ISSUE.code));
  const warnings = page.getByRole('region', { name: 'Warnings (2)', exact: true });
  assert.deepEqual((await warnings.locator('article h3').allTextContents()).sort(), ['slow@file', XSS_NAME].sort());
  assert.match(await page.locator('#problems-summary').textContent() ?? '', /2 elements are disabled, 2 have warnings, and 1 issue belongs to no element/);

  await broken.getByRole('link', { name: 'broken@docker' }).click();
  const why = page.getByRole('region', { name: 'Why this HTTP router is disabled', exact: true });
  await why.waitFor();
  assert.equal(await why.locator('code.where').textContent(), BROKEN_ROUTER_ISSUE.where);
  assert.equal(await why.locator('.msg').textContent(), BROKEN_ROUTER_ISSUE.message);
  await s.finish();
});

test('search, status filter and paging use the API and live in the hash', async () => {
  const s = await open('#/http/routers');
  const { page } = s;
  await waitForRows(page, ['api@file', 'broken@docker', 'slow@file', 'web@docker', XSS_NAME]);
  await page.getByLabel('Search').fill('slow');
  await waitForRows(page, ['slow@file']);
  assert.ok(page.url().endsWith('#/http/routers?search=slow'));
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Status').selectOption('disabled');
  await waitForRows(page, ['broken@docker']);
  assert.ok(page.url().endsWith('#/http/routers?status=disabled'));
  await page.getByLabel('Search').fill('nothing-like-this');
  await waitFor(async () => (await page.locator('#list-summary').textContent()) === 'No http routers match these filters.', 5000, 'empty result');
  assert.equal(await page.locator('main tbody tr').count(), 0);
  await s.finish();

  const linked = await open('#/http/routers?status=warning');
  await waitForRows(linked.page, ['slow@file', XSS_NAME]);
  assert.equal(await linked.page.getByLabel('Status').inputValue(), 'warning');
  await linked.page.goto(`${server.origin}/dashboard/#/http/routers?per_page=2`);
  await waitForRows(linked.page, [XSS_NAME, 'api@file']);
  await linked.page.getByRole('link', { name: 'Next page' }).click();
  await waitForRows(linked.page, ['broken@docker', 'slow@file']);
  await linked.page.getByRole('link', { name: 'Next page' }).click();
  await waitForRows(linked.page, ['web@docker']);
  assert.equal(await linked.page.getByRole('link', { name: 'Next page' }).count(), 0);
  assert.equal(await linked.page.getByRole('link', { name: 'Previous page' }).count(), 1);
  await linked.finish();
});

test('auto-refresh shows a status change without losing the search, the focus or an open section', async () => {
  const s = await open('#/http/routers');
  const { page } = s;
  await page.getByLabel('Auto-refresh').selectOption('2');
  const search = page.getByLabel('Search');
  await search.fill('PathPrefix');
  await waitForRows(page, ['api@file']);
  const url = page.url();
  source.current = buildStatus(2, [element('http.routers', 'api@file', { rule: 'PathPrefix(`/api`)', service: 'gone@file' }, {
    status: 'disabled',
    issues: [{ code: ErrorCodes.SERVICE_NOT_FOUND, severity: 'error', where: 'dynamic/app.yml:4: http.routers.api.service', message: 'service "gone@file" does not exist' }],
  })]);
  await waitFor(async () => (await page.locator('main tbody tr').first().textContent())?.includes('Disabled'), 6000, 'the refreshed row');
  assert.equal(await search.inputValue(), 'PathPrefix');
  assert.equal(await activeId(page), 'list-search');
  assert.equal(page.url(), url);
  await waitFor(async () => (await page.locator('#problem-count').textContent()) === '6', 5000, 'the problem count');

  await page.goto(`${server.origin}/dashboard/#/http/services/web%40docker`);
  const servers = page.getByRole('region', { name: 'Servers', exact: true }).locator('tbody tr');
  await servers.nth(1).waitFor();
  await page.locator('details.raw summary').click();
  await page.getByRole('region', { name: 'Used by', exact: true }).getByRole('link').first().focus();
  source.down.add('http://127.0.0.1:8081');
  await waitFor(async () => /8081.*DOWN/.test(await servers.first().textContent() ?? ''), 6000, 'server 8081 DOWN');
  assert.equal(await page.locator('details.raw').getAttribute('open'), '', 'the raw JSON stays open');
  assert.equal(await page.evaluate<string>("document.activeElement.getAttribute('href')"), '#/http/routers/broken%40docker', 'focus stays on its link');
  await s.finish();
});

test('markup in names, labels and messages is shown as text and never runs', async () => {
  const s = await open('#/http/routers');
  const { page } = s;
  const link = page.locator('main th[scope=row] a').filter({ hasText: XSS_NAME });
  await link.waitFor();
  assert.equal(await link.textContent(), XSS_NAME);
  assert.equal(await page.locator('img').count(), 0);
  await link.click();
  const box = page.getByRole('region', { name: 'Warnings', exact: true });
  await box.waitFor();
  assert.ok(page.url().endsWith(`#/http/routers/${encodeURIComponent(XSS_NAME)}`));
  assert.match(await page.locator('h1').textContent() ?? '', /<img src=x onerror=alert\(1\)>@docker/);
  assert.equal(await box.locator('.msg').textContent(), XSS_ISSUE.message);
  assert.equal(await box.locator('code.where').textContent(), XSS_ISSUE.where);
  await page.locator('#problems-link').click();
  await page.getByRole('region', { name: 'Warnings (2)', exact: true }).getByRole('article', { name: XSS_NAME, exact: true }).waitFor();
  assert.equal(await page.title(), 'Problems · Berth');
  const counts = await page.evaluate<number[]>(
    "[document.images.length, document.querySelectorAll('script').length, document.querySelectorAll('#injected, main svg, b').length]");
  assert.deepEqual(counts, [0, 1, 0], 'no img, no script but the app, no injected element');
  await s.finish();
});

test('narrow screens: no horizontal scrolling on the list and the problems view', async () => {
  const s = await open('#/http/routers', { width: 360 });
  const { page } = s;
  await waitForRows(page, ['api@file', 'broken@docker', 'slow@file', 'web@docker', XSS_NAME]);
  assert.ok(await page.evaluate<boolean>('document.documentElement.scrollWidth <= 360'), 'routers list fits');
  await page.locator('#problems-link').click();
  await page.getByRole('region', { name: 'Disabled (2)', exact: true }).waitFor();
  assert.ok(await page.evaluate<boolean>('document.documentElement.scrollWidth <= 360'), 'problems fit');
  await s.finish();
});

test('an API without configuration shows a banner, and the dashboard recovers by itself', async () => {
  source.current = undefined;
  const s = await open('', { allowConsole: /status of 503/ });
  const { page } = s;
  const banner = page.getByRole('alert');
  await banner.waitFor();
  assert.match(await banner.textContent() ?? '', /Berth has not applied any configuration yet/);
  await page.getByLabel('Auto-refresh').selectOption('2');
  source.current = buildStatus(3);
  await page.getByRole('region', { name: 'HTTP Routers', exact: true }).locator('.total').waitFor({ timeout: 6000 });
  await banner.waitFor({ state: 'hidden' });
  await s.finish();
});
