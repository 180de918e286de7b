import type { ServerResponse } from 'node:http';
import { endClientResponse, writeClientHead } from '../client-response.js';
import { answerForwardError } from '../forward-errors.js';

/**
 * Where an http1 exchange writes the server's answer: a node:http ServerResponse (every request that went
 * through the middleware chain), or the client socket itself (the entrypoint's HTTP/1.1 fast path, see
 * src/entrypoints/fast-path/). One exchange logic serves both; only the writing differs.
 */
export interface ClientSink {
  /** True once the status line went to the client: a failure can then only cut the connection. */
  readonly headersSent: boolean;
  /**
   * Writes status and headers, the hop-by-hop ones removed. `noBody`: the answer has none whatever its headers say
   * (HEAD). Throws when a header cannot be relayed (a bad gateway).
   */
  writeHead(status: number, rawHeaders: string[], noBody: boolean): void;
  /** Returns false when the client is not keeping up: the exchange pauses the server until `onDrain`. */
  write(chunk: Buffer): boolean;
  /** The body is complete; `trailers` are the server's (relayed only if it announced them). */
  end(trailers: string[]): void;
  /** Answers a failure: the status and Traefik's body before the head, a cut connection after; 499 sends nothing. */
  fail(status: number): void;
  /** Tells the exchange when the client leaves before the end, and when it can take more bytes. */
  watch(onClose: () => void, onDrain: () => void): void;
  /** The exchange is over: stop telling it about drains. */
  unwatch(onDrain: () => void): void;
}

/** A ServerResponse as a sink: the middleware chain's headers (a sticky cookie) are kept beside the server's. */
export class ResponseSink implements ClientSink {
  readonly #res: ServerResponse;
  #trailers = false;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get headersSent(): boolean {
    return this.#res.headersSent;
  }

  writeHead(status: number, rawHeaders: string[]): void {
    // Node itself knows a HEAD request's answer has no body.
    this.#trailers = writeClientHead(this.#res, status, rawHeaders);
  }

  write(chunk: Buffer): boolean {
    return this.#res.write(chunk);
  }

  end(trailers: string[]): void {
    endClientResponse(this.#res, this.#trailers, trailers);
  }

  fail(status: number): void {
    answerForwardError(this.#res, status);
  }

  watch(onClose: () => void, onDrain: () => void): void {
    this.#res.on('close', () => {
      if (!this.#res.writableFinished) onClose();
    });
    this.#res.on('drain', onDrain);
  }

  unwatch(onDrain: () => void): void {
    this.#res.off('drain', onDrain);
  }
}
