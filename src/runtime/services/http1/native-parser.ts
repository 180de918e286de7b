import { createRequire } from 'node:module';

/**
 * Node's own HTTP/1.1 parser: llhttp compiled into the node binary, the parser node:http itself uses, reached
 * through `_http_common`. It is the reason the http1 engine is fast: parsing runs in C++ and calls JavaScript
 * once per event (headers complete, a body chunk, message complete), where undici runs llhttp as WebAssembly
 * and crosses into JavaScript for every header field and value. Its interface is internal to Node, so it is
 * loaded in exactly one place (this file) and checked when loaded (`nativeParserAvailable`); the http1 engine
 * falls back to undici and the entrypoints to node:http if a future Node changes it. Node 20 to 24 have the same
 * interface.
 */
export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [callback: number]: unknown;
}

interface NativeParserModule {
  /** Method names by the index the parser reports (`methods[3]` is 'GET'). */
  readonly methods: readonly string[];
  readonly HTTPParser: {
    new (): NativeParser;
    readonly REQUEST: number;
    readonly RESPONSE: number;
    readonly kOnMessageBegin: number;
    readonly kOnHeaders: number;
    readonly kOnHeadersComplete: number;
    readonly kOnBody: number;
    readonly kOnMessageComplete: number;
  };
}

function loadNativeParser(): NativeParserModule | undefined {
  try {
    const { HTTPParser, methods } = createRequire(import.meta.url)('_http_common') as Partial<NativeParserModule>;
    if (typeof HTTPParser !== 'function' || !Array.isArray(methods)) return undefined;
    const prototype = HTTPParser.prototype as Partial<NativeParser>;
    const constants = [HTTPParser.REQUEST, HTTPParser.RESPONSE, HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnHeadersComplete, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete];
    const usable = [prototype.initialize, prototype.execute, prototype.finish, prototype.close].every((m) => typeof m === 'function')
      && constants.every((c) => typeof c === 'number');
    return usable ? { HTTPParser, methods } : undefined;
  } catch {
    return undefined;
  }
}

/** Node's parser module, or undefined if this Node has none usable (the http1 engine then uses undici). */
export const nativeParser = loadNativeParser();

/** False if this Node has no usable native parser: the http1 engine then hands every request to undici. */
export const nativeParserAvailable = nativeParser !== undefined;

/** Lenient flags off: requests and responses are parsed strictly, as node:http does by default. */
const STRICT = 0;

/**
 * A strict parser for requests or responses, with the module's callback keys and method names; `reset` makes it
 * start afresh on a new message.
 */
export function createNativeParser(kind: 'REQUEST' | 'RESPONSE', maxHeaderBytes: number): NativeParserModule & { parser: NativeParser; reset: () => void } {
  if (nativeParser === undefined) throw new Error('the native HTTP parser is not available on this Node version');
  const { HTTPParser, methods } = nativeParser;
  const parser = new HTTPParser();
  const reset = (): void => parser.initialize(HTTPParser[kind], {}, maxHeaderBytes, STRICT);
  reset();
  return { parser, reset, HTTPParser, methods };
}

/** Frees a parser once the current call stack, which may be inside one of its callbacks, unwinds. */
export function closeWhenUnwound(parser: NativeParser): void {
  setImmediate(() => parser.close());
}

/**
 * Header (or trailer) fields as `[name, value, ...]`. llhttp hands them over in batches of at most 32 fields when
 * a message has more (kOnHeaders), the last batch with the head itself (kOnHeadersComplete).
 */
export class FieldBatches {
  #earlier: string[] = [];

  add(fields: readonly string[]): void {
    for (const field of fields) this.#earlier.push(field);
  }

  /** All fields: the earlier batches and `last`, which is then forgotten with them. */
  take(last: string[] | undefined = []): string[] {
    if (this.#earlier.length === 0) return last;
    const all = this.#earlier.concat(last);
    this.#earlier = [];
    return all;
  }
}
