import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAcmeResolver, type AcmeResolver } from '../../src/acme/resolver.js';
import type { AcmeResolverSettings } from '../../src/config/static/certificate-resolvers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A minimal ACME server (RFC 8555 directory, nonces, accounts) whose newOrder answers as the test says: Pebble
 * cannot rate-limit, so the CA's rateLimited problem and Retry-After are played here.
 */
async function fakeCa(onOrder: (res: ServerResponse) => void): Promise<{ url: string; orders: () => number; close: () => Promise<void> }> {
  let orders = 0;
  let nonce = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('replay-nonce', `nonce-${++nonce}`);
    if (req.url === '/dir') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/order` }));
    if (req.url === '/nonce') return res.writeHead(200).end();
    if (req.url === '/account') return res.writeHead(201, { location: `${base}/acct/1`, 'content-type': 'application/json' }).end(JSON.stringify({ status: 'valid' }));
    if (req.url === '/order') {
      orders++;
      return onOrder(res);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dir`,
    orders: () => orders,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const settings = (caServer: string, storage: string): AcmeResolverSettings => ({
  email: 'ops@berth.test', caServer, storage, keyType: 'EC256', certificatesDuration: 2160, disableCommonName: false,
  clientTimeout: 10_000, clientResponseHeaderTimeout: 5_000, certificateTimeout: 10_000, caSystemCertPool: false,
  httpChallenge: { entryPoint: 'web', delay: 0 },
});

/** A resolver opened against a fake CA whose newOrder answers with `onOrder`; both are closed afterwards. */
async function withResolver(
  onOrder: (res: ServerResponse) => void,
  extra: Partial<Parameters<typeof createAcmeResolver>[0]>,
  run: (resolver: AcmeResolver, ca: { orders: () => number }) => Promise<void>,
): Promise<void> {
  const ca = await fakeCa(onOrder);
  const storage = join(await mkdtemp(join(tmpdir(), 'berth-ca-')), 'acme.json');
  const resolver = createAcmeResolver({ name: 'r', settings: settings(ca.url, storage), logger: silentLogger(), ...extra });
  try {
    await resolver.open();
    await run(resolver, ca);
  } finally {
    resolver.close();
    await ca.close();
  }
}

const serverError = (res: ServerResponse): void => {
  res.writeHead(500, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'urn:ietf:params:acme:error:serverInternal', detail: 'down' }));
};

test('the CA\'s rateLimited problem and Retry-After set the next attempt; acme-client does not sleep on it', async () => {
  const rateLimited = (res: ServerResponse): void => {
    res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7200' })
      .end(JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many certificates already issued for "example.test"' }));
  };
  await withResolver(rateLimited, {}, async (resolver, ca) => {
    const started = Date.now();
    resolver.request([['a.example.test']]);
    await resolver.idle();
    assert.ok(Date.now() - started < 60_000, 'failed at once instead of waiting out Retry-After (2 h) inside the HTTP client');
    const [status] = resolver.status();
    assert.equal(status?.error?.type, 'urn:ietf:params:acme:error:rateLimited');
    assert.match(status?.error?.detail ?? '', /too many certificates/);
    assert.ok(Date.parse(status?.nextAttempt ?? '') >= started + 7_200_000, 'Retry-After (2 h) beats the first backoff step (1 min)');
    resolver.request([['a.example.test']]);
    await resolver.idle();
    assert.equal(ca.orders(), 1);
  });
});

test('at most `concurrency` orders run at once', async () => {
  const held: ServerResponse[] = [];
  await withResolver((res) => held.push(res), { concurrency: 2 }, async (resolver, ca) => {
    resolver.request([['a.test'], ['b.test'], ['c.test'], ['d.test'], ['e.test']]);
    await waitFor(() => held.length === 2, 10_000, 'two orders');
    assert.equal(resolver.status().filter((s) => s.state === 'ordering').length, 5, 'all five are known, three wait');
    for (let answered = 0; answered < 5; answered++) {
      await waitFor(() => held.length > 0, 10_000, 'an order');
      assert.ok(held.length <= 2);
      serverError(held.shift() as ServerResponse);
    }
    await resolver.idle();
    assert.equal(ca.orders(), 5);
  });
});

test('a backing-off set is retried when its time comes only while the routers still ask for it', async () => {
  await withResolver(serverError, { backoff: { initialMs: 150, maxMs: 150 } }, async (resolver, ca) => {
    resolver.request([['a.test']]);
    await waitFor(() => ca.orders() >= 2, 10_000, 'an automatic retry');
    resolver.request([]);
    await resolver.idle();
    const settled = ca.orders();
    await new Promise((resolve) => setTimeout(resolve, 600)); // time is the subject: three backoff periods pass
    assert.equal(ca.orders(), settled, 'no longer asked for, no longer retried');
  });
});
