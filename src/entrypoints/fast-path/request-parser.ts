import { closeWhenUnwound, createNativeParser, FieldBatches, type NativeParser } from '../../runtime/services/http1/native-parser.js';

/** A request line and header block, as the parser read them. */
export interface RequestHead {
  readonly method: string;
  readonly url: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
  /** `[name, value, ...]` as sent (values trimmed of surrounding whitespace). */
  readonly rawHeaders: string[];
  /** An upgrade (Connection: upgrade with Upgrade) or CONNECT: the rest of the connection is another protocol. */
  readonly upgrade: boolean;
  /** Whether HTTP/1.1 keep-alive rules let the connection carry another request after this one. */
  readonly keepAlive: boolean;
}

export interface RequestEvents {
  /** The first byte of a request arrived (the head timeout starts). */
  onBegin(): void;
  /**
   * A complete head. Returns true to stop parsing right after it: the request and everything after it then
   * belong to node:http, and `execute` returns how many bytes of the chunk were read up to there.
   */
  onHead(head: RequestHead): boolean;
}

// llhttp's on_headers_complete answers: 0 carry on; 2 "no body, and the rest is another protocol", which makes
// it stop right after the head (Node turns that pause into a plain byte count).
const CONTINUE = 0;
const STOP_AFTER_HEAD = 2;

/**
 * Reads the requests of one client connection with Node's native parser (see native-parser.ts): strict
 * HTTP/1.x, `maxHeaderBytes` enforced, one callback per head. Bodies are never read here: a request with one
 * is handed to node:http before its body (onHead returns true).
 */
export class RequestParser {
  readonly #parser: NativeParser;
  readonly #fields = new FieldBatches();
  #url = '';
  #closed = false;

  constructor(maxHeaderBytes: number, events: RequestEvents) {
    const { parser, HTTPParser, methods } = createNativeParser('REQUEST', maxHeaderBytes);
    parser[HTTPParser.kOnMessageBegin] = () => events.onBegin();
    // More than 32 header fields, or a long URL, arrive in parts before the head completes.
    parser[HTTPParser.kOnHeaders] = (fields: string[], url: string | undefined) => {
      this.#fields.add(fields);
      if (url !== undefined) this.#url += url;
    };
    parser[HTTPParser.kOnHeadersComplete] = (versionMajor: number, versionMinor: number, fields: string[] | undefined, method: number, url: string | undefined, _status: unknown, _message: unknown, upgrade: boolean, keepAlive: boolean) => {
      const rawHeaders = this.#fields.take(fields);
      const fullUrl = this.#url + (url ?? '');
      this.#url = '';
      const head: RequestHead = { method: methods[method] ?? 'GET', url: fullUrl, versionMajor, versionMinor, rawHeaders, upgrade, keepAlive };
      return events.onHead(head) ? STOP_AFTER_HEAD : CONTINUE;
    };
    this.#parser = parser;
  }

  /** Bytes of `chunk` read (all of them unless a head stopped the parser), or the parse error (code `HPE_*`). */
  execute(chunk: Buffer): number | Error {
    if (this.#closed) return 0;
    return this.#parser.execute(chunk);
  }

  /** Frees the native parser once the current call stack (which may be inside one of its callbacks) unwinds. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeWhenUnwound(this.#parser);
  }
}

/** The head as bytes again, for node:http to read when the fast path hands it a request. */
export function serializeHead(head: RequestHead): Buffer {
  let text = `${head.method} ${head.url} HTTP/${head.versionMajor}.${head.versionMinor}\r\n`;
  const raw = head.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i] as string}: ${raw[i + 1] as string}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}
