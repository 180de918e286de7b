import { closeWhenUnwound, createNativeParser, FieldBatches, type NativeParser } from './native-parser.js';

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

// llhttp's on_headers_complete answers: 0 carry on; 1 the message has no body (HEAD); 2 stop right after the head
// (meant for upgrades; Node turns that pause into a plain byte count).
const CONTINUE = 0;
const NO_BODY = 1;
const STOP_AFTER_HEAD = 2;

/**
 * From this size on, a Content-Length body passes through as slices of the socket's own buffers. llhttp copies
 * every body chunk it reports into a new buffer, which for a 1 MB response is a megabyte of copying and of
 * garbage per response (bench/PROFILE.md); small bodies are cheaper through the parser.
 */
const DIRECT_BODY_MIN_BYTES = 64 * 1024;

/**
 * The body length a response head declares: its Content-Length, or undefined when it has none usable or is
 * chunked (the parser refuses a head with both, so the length is then moot).
 */
export function declaredBodyLength(headers: readonly string[]): number | undefined {
  let length: number | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return undefined;
    if (name.length === 14 && name.toLowerCase() === 'content-length') length = Number(headers[i + 1]);
  }
  return length !== undefined && Number.isSafeInteger(length) ? length : undefined;
}

/** The Content-Length of a head when its body should pass through directly, else 0. */
function directBodyLength(headers: readonly string[]): number {
  const length = declaredBodyLength(headers) ?? 0;
  return length >= DIRECT_BODY_MIN_BYTES ? length : 0;
}

/**
 * Reads the responses arriving on one upstream connection, one after the other, and reports them to `events`.
 * Headers come in batches when a response has more than 32 of them (llhttp flushes its buffer) and trailers
 * come the same way after the body, so both are collected here.
 */
export class ResponseParser {
  readonly #parser: NativeParser;
  readonly #reset: () => void;
  readonly #fields = new FieldBatches();
  #events: ResponseEvents | undefined;
  /** Bytes of a large Content-Length body still to pass through untouched (see DIRECT_BODY_MIN_BYTES). */
  #bodyLeft = 0;
  /** The parser was stopped after a head whose body is passed through: its message-complete is not the end. */
  #direct = false;
  #closed = false;

  constructor(maxHeaderBytes: number) {
    const { parser, reset, HTTPParser } = createNativeParser('RESPONSE', maxHeaderBytes);
    this.#reset = reset;
    parser[HTTPParser.kOnMessageBegin] = () => this.#events?.onBegin?.();
    parser[HTTPParser.kOnHeaders] = (fields: string[]) => this.#fields.add(fields);
    parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, headers: string[] | undefined, _method: unknown, _url: unknown, status: number, statusMessage: string, _upgrade: boolean, keepAlive: boolean) => {
      const all = this.#fields.take(headers);
      if (this.#events?.onHead(status, statusMessage, all, keepAlive) === true) return NO_BODY;
      const length = status >= 200 && status !== 204 && status !== 304 ? directBodyLength(all) : 0;
      if (length === 0) return CONTINUE;
      this.#bodyLeft = length;
      this.#direct = true;
      return STOP_AFTER_HEAD;
    };
    parser[HTTPParser.kOnBody] = (chunk: Buffer) => this.#events?.onBody(chunk);
    parser[HTTPParser.kOnMessageComplete] = () => {
      // Stopping after the head makes llhttp end the message there; the body is still to come.
      if (this.#direct) return;
      this.#events?.onComplete(this.#fields.take());
    };
    this.#parser = parser;
  }

  /** Who hears about the next response (one exchange at a time on an HTTP/1.1 connection). */
  set events(events: ResponseEvents | undefined) {
    this.#events = events;
  }

  /** Parses bytes from the server; an Error (code `HPE_*`) means the server did not speak HTTP/1.1. */
  execute(data: Buffer): Error | undefined {
    let offset = 0;
    while (offset < data.length && !this.#closed) {
      if (this.#bodyLeft > 0) {
        const end = Math.min(data.length, offset + this.#bodyLeft);
        this.#bodyLeft -= end - offset;
        this.#events?.onBody(data.subarray(offset, end));
        offset = end;
        if (this.#bodyLeft === 0) this.#events?.onComplete([]);
        continue;
      }
      const result = this.#parser.execute(offset === 0 ? data : data.subarray(offset));
      if (result instanceof Error) return result;
      offset += result;
      if (this.#direct) {
        // The head of a large body was read: the parser starts afresh for the next response.
        this.#direct = false;
        this.#reset();
      }
    }
    return undefined;
  }

  /** The server closed the connection: completes a body read until close, or reports a truncated response. */
  finish(): Error | undefined {
    if (this.#closed) return undefined;
    if (this.#bodyLeft > 0) return Object.assign(new Error('the server closed the connection before the body was complete'), { code: 'HPE_INVALID_EOF_STATE' });
    const result = this.#parser.finish();
    return result instanceof Error ? result : undefined;
  }

  /** Frees the native parser once the current call stack (which may be inside one of its callbacks) unwinds. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events = undefined;
    closeWhenUnwound(this.#parser);
  }
}
