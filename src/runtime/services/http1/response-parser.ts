import { createRequire } from 'node:module';

/**
 * Node's own HTTP/1.1 parser: llhttp compiled into the node binary, the parser node:http itself uses, reached
 * through `_http_common`. It is the reason the http1 engine is fast: parsing runs in C++ and calls JavaScript
 * once per event (headers complete, a body chunk, message complete), where undici runs llhttp as WebAssembly
 * and crosses into JavaScript for every header field and value. Its interface is internal to Node, so it is
 * used in exactly one place (this file), checked when loaded (`nativeParserAvailable`), and the http1 engine
 * falls back to undici if a future Node changes it. Node 20 to 24 have the same interface.
 */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [callback: number]: unknown;
}

interface NativeParserModule {
  readonly HTTPParser: {
    new (): NativeParser;
    readonly RESPONSE: number;
    readonly kOnMessageBegin: number;
    readonly kOnHeaders: number;
    readonly kOnHeadersComplete: number;
    readonly kOnBody: number;
    readonly kOnMessageComplete: number;
  };
}

function loadNativeParser(): NativeParserModule['HTTPParser'] | undefined {
  try {
    const { HTTPParser } = createRequire(import.meta.url)('_http_common') as Partial<NativeParserModule>;
    if (typeof HTTPParser !== 'function') return undefined;
    const prototype = HTTPParser.prototype as Partial<NativeParser>;
    const methods = [prototype.initialize, prototype.execute, prototype.finish, prototype.close];
    const constants = [HTTPParser.RESPONSE, HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnHeadersComplete, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete];
    return methods.every((m) => typeof m === 'function') && constants.every((c) => typeof c === 'number') ? HTTPParser : undefined;
  } catch {
    return undefined;
  }
}

const HTTPParser = loadNativeParser();

/** False if this Node has no usable native parser; the http1 engine then hands every request to undici. */
export const nativeParserAvailable = HTTPParser !== undefined;

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

/** Lenient flags off: requests and responses are parsed strictly, as node:http does by default. */
const STRICT = 0;

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
    if (HTTPParser === undefined) throw new Error('the native HTTP parser is not available on this Node version');
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
