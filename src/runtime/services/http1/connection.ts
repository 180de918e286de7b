import type { Socket } from 'node:net';
import { ResponseParser, type ResponseEvents } from './response-parser.js';

/** Whoever is using a connection for one exchange: hears the response, its failure, and 'drain'. */
export interface ConnectionUser extends ResponseEvents {
  /** The connection failed before the response was complete: a socket error, an early close, bad HTTP. */
  onFailure(err: Error): void;
  /** The socket's write buffer emptied (request body backpressure). */
  onDrain(): void;
}

/** A Node-style error with a code the forwarding errors table knows (forward-errors.ts). */
export function connectionError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * One HTTP/1.1 connection to a server: a socket, its response parser, and at most one exchange using it. While
 * nobody uses it (idle in its pool), any byte or response from the server means the connection is no longer in
 * a known state, so it is closed; a server closing an idle connection just removes it from the pool.
 */
export class UpstreamConnection {
  readonly socket: Socket;
  readonly #parser: ResponseParser;
  readonly #onClose: (connection: UpstreamConnection) => void;
  #user: ConnectionUser | undefined;
  #connected: boolean;
  #whenConnected: (() => void) | undefined;
  #error: Error | undefined;
  /**
   * Parser events while no exchange uses the connection: a response nobody asked for (even bytes following the
   * last response in the same packet) leaves the connection in an unknown state, so it is closed, never reused.
   */
  readonly #unsolicited: ResponseEvents = {
    onBegin: () => void this.socket.destroy(),
    onHead: () => true,
    onBody() {},
    onComplete() {},
  };
  /** Exchanges that completed on this connection: a reused connection may have been closed by the server meanwhile. */
  completed = 0;
  /** When the connection last became idle (performance.now()), for idleConnTimeout. */
  idleSince = 0;

  /**
   * `connectEvent` is when the connection is usable ('secureConnect' after a TLS handshake); `dialTimeout` (ms,
   * 0: none) bounds the wait for it, and fails with ETIMEDOUT (a 504) like a Go dial timeout.
   */
  constructor(socket: Socket, connectEvent: 'connect' | 'secureConnect', dialTimeout: number, maxHeaderBytes: number, onClose: (connection: UpstreamConnection) => void) {
    this.socket = socket;
    this.#onClose = onClose;
    this.#parser = new ResponseParser(maxHeaderBytes);
    this.#connected = false;
    const dialTimer = dialTimeout > 0
      ? setTimeout(() => socket.destroy(connectionError(`dial timeout: no connection within ${dialTimeout} ms`, 'ETIMEDOUT')), dialTimeout)
      : undefined;
    socket.once(connectEvent, () => {
      clearTimeout(dialTimer);
      this.#connected = true;
      const callback = this.#whenConnected;
      this.#whenConnected = undefined;
      callback?.();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.#user === undefined) return void socket.destroy();
      const err = this.#parser.execute(chunk);
      if (err !== undefined) this.#fail(err);
    });
    socket.on('end', () => {
      const err = this.#parser.finish();
      this.#fail(err ?? connectionError('the server closed the connection before the response was complete', 'ECONNRESET'));
    });
    socket.on('drain', () => this.#user?.onDrain());
    socket.on('error', (err: Error) => {
      this.#error ??= err;
      this.#fail(err);
    });
    socket.on('close', () => {
      clearTimeout(dialTimer);
      this.#fail(this.#error ?? connectionError('the connection to the server closed before the response was complete', 'ECONNRESET'));
      this.#parser.close();
      this.#onClose(this);
    });
  }

  get usable(): boolean {
    return !this.socket.destroyed && this.#error === undefined && this.socket.readyState === 'open';
  }

  /**
   * Runs `callback` once the connection (and its TLS handshake) is established, at once if it already is. One
   * waiter at a time: the exchange using the connection.
   */
  whenConnected(callback: () => void): void {
    if (this.#connected) callback();
    else this.#whenConnected = callback;
  }

  /** Starts an exchange: from now on `user` hears every parser and socket event. */
  attach(user: ConnectionUser): void {
    this.#user = user;
    this.#parser.events = user;
  }

  /** Ends the exchange; the connection is idle (or about to be closed). */
  detach(): void {
    this.#user = undefined;
    this.#parser.events = this.#unsolicited;
    if (this.socket.isPaused()) this.socket.resume();
  }

  /** Closes the connection now, without telling anyone (the exchange is over or never was). */
  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Ends the exchange with `err` at once, even from inside a parser callback (the rest of the packet is then
   * ignored), and closes the connection.
   */
  fail(err: Error): void {
    this.#fail(err);
  }

  #fail(err: Error): void {
    const user = this.#user;
    if (user === undefined) return;
    this.detach();
    user.onFailure(err);
    this.socket.destroy();
  }
}
