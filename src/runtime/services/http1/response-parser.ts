import { nativeParser, STRICT, type NativeParser } from './native-parser.js';

export { nativeParserAvailable } from './native-parser.js';

/** What the parser reports about the response it is reading. */
export interface ResponseEvents {
  /** The first byte of a response (an interim 1xx one included) arrived. */
  onBegin?(): void;
  /**
   * Status line and headers (`[name, value, ...]` as sent). Returns true when the response has no body whatever
   * its headers say (the answer to a HEAD request).
   */
  onHead(status: number, statusMessage: string, headers: string[], keepAlive: boolean): boolean;
  onBody(chunk: Buffer): void;
  /** The response is complete; `trailers` holds the trailer fields of a chunked body (often empty). */
  onComplete(trailers: string[]): void;
}

/**
 * Reads the responses arriving on one upstream connection, one after the other, and reports them to `events`.
 * Headers come in batches when a response has more than 32 of them (llhttp flushes its buffer) and trailers
 * come the same way after the body, so both are collected here.
 */
export class ResponseParser {
  readonly #parser: NativeParser;
  #events: ResponseEvents | undefined;
  #pending: string[] = [];
  #closed = false;

  constructor(maxHeaderBytes: number) {
    if (nativeParser === undefined) throw new Error('the native HTTP parser is not available on this Node version');
    const { HTTPParser } = nativeParser;
    const parser = new HTTPParser();
    parser.initialize(HTTPParser.RESPONSE, {}, maxHeaderBytes, STRICT);
    parser[HTTPParser.kOnMessageBegin] = () => this.#events?.onBegin?.();
    parser[HTTPParser.kOnHeaders] = (headers: string[]) => {
      for (const field of headers) this.#pending.push(field);
    };
    parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, headers: string[] | undefined, _method: unknown, _url: unknown, status: number, statusMessage: string, _upgrade: boolean, keepAlive: boolean) => {
      let all = headers ?? [];
      if (this.#pending.length > 0) {
        all = this.#pending.concat(all);
        this.#pending = [];
      }
      // llhttp: returning 1 means "this message has no body" (HEAD).
      return this.#events?.onHead(status, statusMessage, all, keepAlive) === true ? 1 : 0;
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => this.#events?.onBody(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => {
      const trailers = this.#pending;
      this.#pending = [];
      this.#events?.onComplete(trailers);
    };
    this.#parser = parser;
  }

  /** Who hears about the next response (one exchange at a time on an HTTP/1.1 connection). */
  set events(events: ResponseEvents | undefined) {
    this.#events = events;
  }

  /** Parses bytes from the server; an Error (code `HPE_*`) means the server did not speak HTTP/1.1. */
  execute(data: Buffer): Error | undefined {
    if (this.#closed) return undefined;
    const result = this.#parser.execute(data);
    return result instanceof Error ? result : undefined;
  }

  /** The server closed the connection: completes a body read until close, or reports a truncated response. */
  finish(): Error | undefined {
    if (this.#closed) return undefined;
    const result = this.#parser.finish();
    return result instanceof Error ? result : undefined;
  }

  /** Frees the native parser once the current call stack (which may be inside one of its callbacks) unwinds. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events = undefined;
    setImmediate(() => this.#parser.close());
  }
}
