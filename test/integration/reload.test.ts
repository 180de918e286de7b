import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../helpers/backend.js';
import { startBerth, type StartedBerth } from '../helpers/start-berth.js';
import { waitFor } from '../helpers/wait-for.js';
import { echoed, getHost, http } from './http.js';

/** A `ws` server that answers every message with `<name>:<message>`. */
async function startEchoServer(name: string): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${name}:${data.toString()}`)));
  return {
    url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()));
    ws.once('error', reject);
    ws.send(text);
  });
}

function openWs(url: string, host: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { host } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const STATIC = `
entryPoints:
  web: { address: "127.0.0.1:0" }
  traefik: { address: "127.0.0.1:0" }
api: { insecure: true }
`;

describe('reloads through the file provider', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  let one: Backend;
  let two: Backend;

  before(async () => {
    one = await startBackend('one');
    two = await startBackend('two');
    berth = await startBerth({
      staticYaml: STATIC,
      dynamic: {
        'app.yml': `
http:
  routers:
    app: { rule: "Host(\`app.test\`)", service: one }
  services:
    one: { loadBalancer: { servers: [{ url: "${one.url}" }] } }
    two: { loadBalancer: { servers: [{ url: "${two.url}" }] } }
`,
      },
    });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    await one?.close();
    await two?.close();
  });

  it('keeps a WebSocket open and echoing across a reload that changes its router and service', async () => {
    const a = await startEchoServer('A');
    const b = await startEchoServer('B');
    try {
      await berth.writeDynamic('ws.yml', `
http:
  routers:
    chat: { rule: "Host(\`chat.test\`)", service: chat-a }
  services:
    chat-a: { loadBalancer: { servers: [{ url: "${a.url}" }] } }
`);
      await waitFor(async () => (await getHost(berth.url('web'), 'chat.test')).status !== 404, 5000, 'the chat router');
      const ws = await openWs(`ws://127.0.0.1:${berth.port('web')}/`, 'chat.test');
      const closed: number[] = [];
      ws.on('close', (code) => closed.push(code));
      assert.equal(await echo(ws, 'hello'), 'A:hello');

      const generation = berth.generation();
      await berth.writeDynamic('ws.yml', `
http:
  routers:
    chat: { rule: "Host(\`chat.test\`) || Host(\`talk.test\`)", service: chat-b }
  services:
    chat-b: { loadBalancer: { servers: [{ url: "${b.url}" }] } }
`);
      await berth.nextGeneration(generation);
      // New connections follow the new configuration...
      const fresh = await openWs(`ws://127.0.0.1:${berth.port('web')}/`, 'talk.test');
      assert.equal(await echo(fresh, 'hi'), 'B:hi');
      fresh.close();
      // ...while the one opened before keeps its service and keeps echoing.
      for (let i = 0; i < 5; i++) assert.equal(await echo(ws, `again ${i}`), `A:again ${i}`);
      assert.equal(ws.readyState, WebSocket.OPEN);
      assert.deepEqual(closed, []);
      ws.close();
    } finally {
      await berth.removeDynamic('ws.yml');
      await a.close();
      await b.close();
    }
  });

  it('a broken YAML file leaves the previous routes serving and shows its error with file and line', async () => {
    const generation = berth.generation();
    await berth.writeDynamic('broken.yml', 'http:\n  routers:\n    x: { rule: "Host(`x.test`)"\n    y: [unclosed\n');
    await berth.nextGeneration(generation);
    assert.equal(echoed(await getHost(berth.url('web'), 'app.test')).name, 'one');
    const overview = JSON.parse((await http(berth.url('traefik', '/api/overview'))).text) as { issues: Array<{ code: string; where: string; message: string }> };
    const issue = overview.issues.find((i) => i.where.includes('broken.yml'));
    assert.ok(issue !== undefined, JSON.stringify(overview.issues));
    assert.equal(issue.code, 'BERTH_ERR_YAML_SYNTAX');
    assert.match(issue.where, /broken\.yml:\d+:\d+$/);
    assert.match(issue.message, /YAML syntax error/);
    // Logged too, at error level (Traefik's default log level shows it), naming the file and line, each once.
    const logged = berth.logs.filter((line) => line['code'] === 'BERTH_ERR_YAML_SYNTAX' && String(line['msg']).includes('broken.yml'));
    assert.ok(logged.length > 0, 'the YAML error is logged');
    assert.equal(new Set(logged.map((line) => line['msg'])).size, logged.length, JSON.stringify(logged));
    for (const line of logged) {
      assert.equal(line['level'], 'error');
      assert.match(String(line['msg']), /broken\.yml:\d+:\d+: YAML syntax error/);
    }

    const fixed = berth.generation();
    await berth.removeDynamic('broken.yml');
    await berth.nextGeneration(fixed);
    const after = JSON.parse((await http(berth.url('traefik', '/api/overview'))).text) as { issues: unknown[] };
    assert.deepEqual(after.issues, []);
  });

  it('a bad router is disabled alone, with its status and errors in /api/http/routers/{name}', async () => {
    const generation = berth.generation();
    await berth.writeDynamic('mixed.yml', `
http:
  routers:
    good: { rule: "Host(\`good.test\`)", service: two }
    bad: { rule: "Host(\`bad.test\`", service: two }
    lost: { rule: "Host(\`lost.test\`)", service: nowhere }
`);
    await berth.nextGeneration(generation);
    assert.equal(echoed(await getHost(berth.url('web'), 'good.test')).name, 'two');
    assert.equal(echoed(await getHost(berth.url('web'), 'app.test')).name, 'one');
    assert.equal((await getHost(berth.url('web'), 'bad.test')).status, 404);

    const bad = await http(berth.url('traefik', '/api/http/routers/bad@file'));
    assert.equal(bad.status, 200);
    const view = JSON.parse(bad.text) as { status: string; error: string[]; issues: Array<{ code: string; where: string }> };
    assert.equal(view.status, 'disabled');
    assert.match(view.error.join('\n'), /invalid rule/);
    assert.equal(view.issues[0]?.code, 'BERTH_ERR_RULE_SYNTAX');
    assert.match(view.issues[0]?.where ?? '', /mixed\.yml:\d+/);
    const logged = berth.logs.find((line) => line['code'] === 'BERTH_ERR_RULE_SYNTAX' && String(line['msg']).includes('mixed.yml'));
    assert.equal(logged?.['level'], 'error', 'a disabled router is logged at error level');
    const lost = JSON.parse((await http(berth.url('traefik', '/api/http/routers/lost@file'))).text) as { status: string; error: string[] };
    assert.equal(lost.status, 'disabled');
    assert.match(lost.error.join('\n'), /the service "nowhere@file" does not exist/);
    const good = JSON.parse((await http(berth.url('traefik', '/api/http/routers/good@file'))).text) as { status: string; error?: string[] };
    assert.equal(good.status, 'enabled');
    assert.equal(good.error, undefined);
    await berth.removeDynamic('mixed.yml');
  });
});

describe('the default 2 s providersThrottleDuration', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  let backend: Backend;

  before(async () => {
    backend = await startBackend('v');
    berth = await startBerth({ staticYaml: STATIC, throttle: 'config', dynamic: { 'app.yml': routeTo(backend, 'v0.test') } });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
  });

  function routeTo(target: Backend, host: string): string {
    return `http:\n  routers:\n    app: { rule: "Host(\`${host}\`)", service: app }\n  services:\n    app: { loadBalancer: { servers: [{ url: "${target.url}" }] } }\n`;
  }

  /** Edits the file and returns how long the new route took to serve. */
  async function timedEdit(host: string): Promise<number> {
    const started = Date.now();
    await berth.writeDynamic('app.yml', routeTo(backend, host));
    await waitFor(async () => (await getHost(berth.url('web'), host)).status === 200, 6000, `${host} to be served`);
    return Date.now() - started;
  }

  it('applies a file edit within throttle + 1 s, even right after another one', async (t) => {
    assert.equal(berth.config.providers.providersThrottleDuration, 2000);
    const first = await timedEdit('v1.test');
    // Right after a publication the throttle holds the next one until its 2 s have passed.
    const second = await timedEdit('v2.test');
    t.diagnostic(`edit applied after ${first} ms, then ${second} ms right after a publication`);
    assert.ok(first <= 3000, `first edit took ${first} ms`);
    assert.ok(second <= 3000, `second edit took ${second} ms`);
    assert.ok(second >= 1000, `the throttle should have held the second edit (took ${second} ms)`);
    assert.equal((await getHost(berth.url('web'), 'v1.test')).status, 404);
  });
});
