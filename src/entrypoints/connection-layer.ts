import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Takes `server`'s 'connection' listeners off it and returns them as one function, so that a layer (TLS
 * detection, the HTTP/1.1 fast path) can listen in front of them and pass each connection it does not keep on.
 * The server keeps listening itself; the last layer put in front runs first.
 */
export function takeConnectionListeners(server: Server): (socket: Socket) => void {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  return (socket) => {
    for (const listener of listeners) listener.call(server, socket);
  };
}
