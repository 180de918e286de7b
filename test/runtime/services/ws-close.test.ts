import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { FrameBoundaries, goingAwayToClient, goingAwayToServer } from '../../../src/runtime/services/ws-frames.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Forwarding, startFrontend } from './helpers/harness.js';

/** A frame as a server (unmasked) or a client (masked with `mask`) writes it. */
function frame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(length));
    return b;
  })()]);
  if (mask === undefined) return Buffer.concat([head, payload]);
  head[1] = (head[1] as number) | 0x80;
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, masked]);
}

test('FrameBoundaries: finds frame ends across chunks, for every length encoding, masked or not', () => {
  const frames = [frame(1, Buffer.from('hi')), frame(2, Buffer.alloc(300, 7), Buffer.from([1, 2, 3, 4])), frame(2, Buffer.alloc(70_000, 1)), frame(9, Buffer.alloc(0))];
  const stream = Buffer.concat(frames);
  const ends: number[] = [];
  let offset = 0;
  for (const f of frames) ends.push((offset += f.length));
  // Byte by byte: every boundary is reported where it is, and only there.
  const tracker = new FrameBoundaries();
  const seen: number[] = [];
  for (let i = 0; i < stream.length; i++) {
    const end = tracker.feed(stream.subarray(i, i + 1));
    if (end !== -1) seen.push(i + end);
    assert.equal(tracker.atBoundary, ends.includes(i + 1), `after byte ${i}`);
  }
  assert.deepEqual(seen, ends);
  // In uneven chunks: the first boundary inside each chunk.
  const chunked = new FrameBoundaries();
  assert.equal(chunked.feed(stream.subarray(0, 3)), -1);
  assert.equal(chunked.feed(stream.subarray(3, 10)), 1, 'the 4-byte text frame ends one byte into this chunk');
  assert.equal(chunked.atBoundary, false);
  // A clone continues from the same position on its own.
  const copy = chunked.clone();
  assert.equal(copy.feed(stream.subarray(10, ends[1])), (ends[1] as number) - 10);
  assert.equal(chunked.atBoundary, false);
});

test('close frames carry 1001 going away; the one for the server is masked', () => {
  assert.deepEqual([...goingAwayToClient()], [0x88, 0x02, 0x03, 0xe9]);
  const masked = goingAwayToServer();
  assert.equal(masked[0], 0x88);
  assert.equal(masked[1], 0x82);
  const mask = masked.subarray(2, 6);
  assert.deepEqual([(masked[6] as number) ^ (mask[0] as number), (masked[7] as number) ^ (mask[1] as number)], [0x03, 0xe9]);
});

/** A WebSocket server written by hand, to hold a frame half-sent while Berth shuts down. */
async function startRawServer(): Promise<{ server: TcpServer; url: string; sockets: Socket[]; received: Buffer[] }> {
  const sockets: Socket[] = [];
  const received: Buffer[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    let handshake = '';
    const onHead = (chunk: Buffer): void => {
      handshake += chunk.toString('latin1');
      if (!handshake.includes('\r\n\r\n')) return;
      socket.off('data', onHead);
      const key = /sec-websocket-key: *(.+)\r\n/i.exec(handshake)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (data: Buffer) => received.push(data));
    };
    socket.on('data', onHead);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, received };
}

for (const engine of ['http1', 'undici', 'http-proxy'] as const) {
  describe(`graceful close of WebSockets with ${engine}`, { timeout: 30_000 }, () => {
    let forwarding: Forwarding;

    before(() => {
      forwarding = new Forwarding(engine);
    });

    after(async () => {
      await forwarding.close();
    });

    it('sends 1001 going away to both peers, which see a clean close', async () => {
      const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
      const serverCodes: number[] = [];
      wss.on('connection', (socket) => {
        socket.on('message', (data) => socket.send(data));
        socket.on('close', (code) => serverCodes.push(code));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${(wss.address() as AddressInfo).port}`)));
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${front.port}/`);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        const echoed = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
        ws.send('before shutdown');
        assert.equal(await echoed, 'before shutdown');
        const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
        await forwarding.upgrades.closeAll();
        assert.equal((await closed).code, 1001);
        await waitFor(() => serverCodes.length === 1, 3000, 'the server to see the close');
        assert.deepEqual(serverCodes, [1001]);
        assert.equal(forwarding.upgrades.count, 0);
      } finally {
        await front.close();
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      }
    });

    it('lets a frame in progress finish before the close frame, in each direction', async () => {
      const raw = await startRawServer();
      const front = await startFrontend(forwarding.handler(forwarding.target(raw.url)));
      try {
        const ws = new WebSocket(`ws://127.0.0.1:${front.port}/`);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        const upstream = await waitFor(() => raw.sockets[0], 3000, 'the upstream connection');
        // ws keeps its socket in a private field; its byte count tells when the half frame got through Berth.
        const clientSocket = (ws as unknown as { _socket: Socket })._socket;
        const handshakeBytes = clientSocket.bytesRead;
        const messages: string[] = [];
        ws.on('message', (data: Buffer) => messages.push(data.toString()));
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

        // The server sends half a text frame; the tracker knows a frame is in progress.
        const text = frame(1, Buffer.from('a message cut in two by the shutdown'));
        upstream.write(text.subarray(0, 10));
        await waitFor(() => clientSocket.bytesRead >= handshakeBytes + 10, 3000, 'the half frame to reach the client');
        const closing = forwarding.upgrades.closeAll();
        upstream.write(Buffer.concat([text.subarray(10), frame(1, Buffer.from('after the close: dropped'))]));
        assert.equal(await closed, 1001);
        assert.deepEqual(messages, ['a message cut in two by the shutdown']);

        // The server got a masked close frame with 1001, then a FIN.
        await waitFor(() => Buffer.concat(raw.received).length >= 8, 3000, 'the close frame at the server');
        const got = Buffer.concat(raw.received);
        const close = got.subarray(got.length - 8);
        assert.equal(close[0], 0x88);
        assert.equal((close[1] as number) & 0x80, 0x80);
        const mask = close.subarray(2, 6);
        assert.equal((((close[6] as number) ^ (mask[0] as number)) << 8) | ((close[7] as number) ^ (mask[1] as number)), 1001);
        upstream.end();
        await closing;
      } finally {
        await front.close();
        for (const socket of raw.sockets) socket.destroy();
        raw.server.close();
      }
    });
  });
}
