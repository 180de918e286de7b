import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { startBerth } from '../helpers/start-berth.js';
import { waitFor } from '../helpers/wait-for.js';

test('graceful shutdown ends an open WebSocket with 1001 going away on both sides after graceTimeOut', { timeout: 30_000 }, async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const serverCloses: number[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data) => socket.send(data));
    socket.on('close', (code) => serverCloses.push(code));
  });
  const berth = await startBerth({
    staticYaml: `
entryPoints:
  web:
    address: "127.0.0.1:0"
    transport:
      lifeCycle:
        graceTimeOut: 300ms
`,
    dynamic: {
      'ws.yml': `http:\n  routers:\n    ws: { rule: "PathPrefix(\`/\`)", service: ws }\n  services:\n    ws: { loadBalancer: { servers: [{ url: "http://127.0.0.1:${(wss.address() as AddressInfo).port}" }] } }\n`,
    },
  });
  try {
    await berth.nextGeneration(0);
    const ws = new WebSocket(`ws://127.0.0.1:${berth.port('web')}/`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const echoed = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    ws.send('ping');
    assert.equal(await echoed, 'ping');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const started = Date.now();
    await berth.close();
    assert.equal(await closed, 1001);
    assert.ok(Date.now() - started >= 250, 'the WebSocket had graceTimeOut to finish on its own');
    await waitFor(() => serverCloses.length === 1, 3000, 'the server to see the close');
    assert.deepEqual(serverCloses, [1001]);
  } finally {
    await berth.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
});
