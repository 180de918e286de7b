import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { clientResponseHeaders } from '../../runtime/services/forward-headers.js';
import type { ClientSink } from '../../runtime/services/http1/client-sink.js';
import { forwardErrorText, STATUS_CLIENT_CLOSED } from '../../runtime/services/forward-errors.js';

/** What a sink tells its connection. */
export interface SinkOwner {
  /** The response is complete (or abandoned); `close` when the connection must end after it. */
  responseDone(close: boolean): void;
}

let dateSecond = -1;
let dateText = '';

/** The Date header node:http would send: RFC 7231 IMF-fixdate, computed once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

function uncork(socket: Socket): void {
  socket.uncork();
}

const CRLF = '\r\n';

/**
 * A response written straight to the client socket, as node:http's ServerResponse would write it for the same
 * server answer: the status line with Node's reason phrase, the server's headers without hop-by-hop ones, `Date`
 * when the server sent none, `Connection`/`Keep-Alive` as Node sends them, and chunked encoding when the server
 * gave no Content-Length (its trailers relayed when announced). Writes of one turn are corked into one `writev`.
 */
export class SocketSink implements ClientSink {
  readonly #socket: Socket;
  readonly #owner: SinkOwner;
  readonly #close: boolean;
  readonly #keepAliveLines: string;
  #onClose: (() => void) | undefined;
  #onDrain: (() => void) | undefined;
  #headersSent = false;
  #noBody = false;
  #chunked = false;
  #trailer = false;
  #done = false;

  /** `keepAliveSeconds` is what the Keep-Alive header announces (Node's server does the same), 0 for none. */
  constructor(socket: Socket, owner: SinkOwner, close: boolean, keepAliveSeconds: number) {
    this.#socket = socket;
    this.#owner = owner;
    this.#close = close;
    this.#keepAliveLines = close ? 'Connection: close\r\n' : keepAliveSeconds > 0 ? `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n` : 'Connection: keep-alive\r\n';
  }

  get headersSent(): boolean {
    return this.#headersSent;
  }

  writeHead(status: number, rawHeaders: string[], noBody: boolean): void {
    const kept: string[] = [];
    const trailer = clientResponseHeaders(rawHeaders, kept);
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}${CRLF}`;
    let hasLength = false;
    let hasDate = false;
    for (let i = 0; i < kept.length; i += 2) {
      const name = kept[i] as string;
      if (name.length === 14 && name.toLowerCase() === 'content-length') hasLength = true;
      else if (name.length === 4 && name.toLowerCase() === 'date') hasDate = true;
      head += `${name}: ${kept[i + 1] as string}${CRLF}`;
    }
    // Announced trailers are repeated (as writeClientHead does for node:http) so that they can follow the body.
    if (trailer !== undefined) head += `trailer: ${trailer}${CRLF}`;
    this.#noBody = noBody || status === 204 || status === 304;
    if (!hasDate) head += `Date: ${httpDate()}${CRLF}`;
    head += this.#keepAliveLines;
    if (!this.#noBody && !hasLength) {
      this.#chunked = true;
      head += `Transfer-Encoding: chunked${CRLF}`;
      this.#trailer = trailer !== undefined;
    }
    this.#writeCorked(head + CRLF);
    this.#headersSent = true;
  }

  write(chunk: Buffer): boolean {
    if (this.#noBody || chunk.length === 0) return true;
    if (!this.#chunked) return this.#socket.write(chunk);
    const socket = this.#socket;
    socket.cork();
    socket.write(`${chunk.length.toString(16)}${CRLF}`, 'latin1');
    socket.write(chunk);
    const flowing = socket.write(CRLF, 'latin1');
    socket.uncork();
    return flowing;
  }

  end(trailers: string[]): void {
    if (this.#chunked) {
      let last = `0${CRLF}`;
      if (this.#trailer) for (let i = 0; i < trailers.length; i += 2) last += `${trailers[i] as string}: ${trailers[i + 1] as string}${CRLF}`;
      this.#socket.write(last + CRLF, 'latin1');
    }
    this.#complete(this.#close);
  }

  fail(status: number): void {
    if (this.#done) return;
    if (status === STATUS_CLIENT_CLOSED || this.#headersSent) {
      // A truncated answer must not look complete: cut the connection (the client already left for 499).
      this.#socket.destroy();
      this.#complete(true);
      return;
    }
    this.answer(status, forwardErrorText(status));
  }

  /** An answer of Berth's own, byte for byte as sendStatus writes it through node:http (which chunks it). */
  answer(status: number, body: string): void {
    const text = `${body}\n`;
    this.#writeCorked(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}${CRLF}content-type: text/plain; charset=utf-8${CRLF}`
      + `x-content-type-options: nosniff${CRLF}Date: ${httpDate()}${CRLF}${this.#keepAliveLines}Transfer-Encoding: chunked${CRLF}${CRLF}`
      + `${Buffer.byteLength(text).toString(16)}${CRLF}${text}${CRLF}0${CRLF}${CRLF}`);
    this.#headersSent = true;
    this.#complete(this.#close);
  }

  watch(onClose: () => void, onDrain: () => void): void {
    this.#onClose = onClose;
    this.#onDrain = onDrain;
  }

  unwatch(): void {
    this.#onDrain = undefined;
  }

  /** The client socket closed. */
  clientGone(): void {
    if (!this.#done) this.#onClose?.();
  }

  /** The client socket can take more bytes. */
  drained(): void {
    this.#onDrain?.();
  }

  #writeCorked(text: string): void {
    const socket = this.#socket;
    socket.cork();
    socket.write(text, 'latin1');
    process.nextTick(uncork, socket);
  }

  #complete(close: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.#owner.responseDone(close);
  }
}
