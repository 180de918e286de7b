// WebSocket echo backend for the benchmarks, run as its own process: node ws-echo.mjs <port>.
// Compression is off on both ends so the proxies move the same bytes.
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2]);
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('error', () => socket.terminate());
});
server.on('listening', () => console.log(`ws echo on 127.0.0.1:${port}`));
