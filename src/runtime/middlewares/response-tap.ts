import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Where a tap sends what it lets through: the layer below it (an outer tap, or the real response). */
export interface Downstream {
  writeHead(status: number, statusMessage?: string): void;
  write(chunk: Buffer): boolean;
  end(callback?: () => void): void;
}

/** Takes over a response body after its head was intercepted. */
export interface BodySink {
  /** Returns false to ask the writer to wait for `drain` on the response. */
  write(chunk: Buffer): boolean;
  end(): void;
}

/**
 * Called once, when the handler below sends the status line and headers (explicitly or with its first write).
 * The headers are on `res` (getHeader/setHeader/removeHeader) and may be changed here. Return a sink to take
 * the body over (the head is then not sent: the sink sends what it wants through `down`), or undefined to let
 * the head and the body through.
 */
export type HeadHandler = (status: number, down: Downstream) => BodySink | undefined;

export interface Tap {
  /** The layer below this tap. */
  readonly down: Downstream;
  /** True once the handler below has sent (or tried to send) its head. */
  readonly headSeen: boolean;
  /** Removes this tap and every tap installed after it (the handlers of a finished attempt). */
  restore(): void;
}

type Writer = (this: ServerResponse, ...args: unknown[]) => unknown;
const PATCHED = ['writeHead', 'write', 'end', 'headersSent'] as const;

/**
 * Intercepts what the handlers below write to `res`, the way Traefik's middlewares wrap the ResponseWriter.
 * Node has one response object per request, so the tap replaces its writeHead/write/end (own properties, on
 * this response only) and restores them on `restore()`. Taps nest: each one writes to whatever was in place
 * when it was installed. Handlers below see `headersSent` true once they sent their head, even when the tap
 * holds it back, so they never try to answer twice.
 */
export function tapResponse(res: ServerResponse, onHead: HeadHandler): Tap {
  const target = res as unknown as Record<string, unknown>;
  const saved = PATCHED.map((key) => [key, Object.getOwnPropertyDescriptor(res, key)] as const);
  const belowWriteHead = res.writeHead as unknown as Writer;
  const belowWrite = res.write as unknown as Writer;
  const belowEnd = res.end as unknown as Writer;
  const belowHeadersSent = findGetter(res, 'headersSent');

  let headSeen = false;
  let ended = false;
  let sink: BodySink | undefined;

  const down: Downstream = {
    writeHead: (status, statusMessage) => {
      if (statusMessage === undefined) belowWriteHead.call(res, status);
      else belowWriteHead.call(res, status, statusMessage);
    },
    write: (chunk) => belowWrite.call(res, chunk) as boolean,
    end: (callback) => {
      if (callback === undefined) belowEnd.call(res);
      else belowEnd.call(res, callback);
    },
  };

  const head = (status: number, statusMessage: string | undefined, headers: unknown): void => {
    applyHeaders(res, headers);
    res.statusCode = status;
    if (statusMessage !== undefined) res.statusMessage = statusMessage;
    headSeen = true;
    sink = onHead(status, down);
    if (sink === undefined) down.writeHead(res.statusCode, statusMessage === undefined ? undefined : res.statusMessage);
  };

  function writeHead(this: ServerResponse, status: number, ...rest: unknown[]): ServerResponse {
    if (headSeen) return res;
    const statusMessage = typeof rest[0] === 'string' ? rest[0] : undefined;
    head(status, statusMessage, typeof rest[0] === 'string' ? rest[1] : rest[0]);
    return res;
  }

  function write(this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (!headSeen) head(res.statusCode, undefined, undefined);
    if (sink === undefined) return belowWrite.call(res, chunk, encoding, callback) as boolean;
    const cb = typeof encoding === 'function' ? encoding : callback;
    const accepted = sink.write(toBuffer(chunk, encoding));
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return accepted;
  }

  function end(this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown): ServerResponse {
    if (typeof chunk === 'function') [callback, chunk] = [chunk, undefined];
    else if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    if (ended) return res;
    ended = true;
    if (!headSeen) {
      // Node sets Content-Length itself when a body is ended in one call; keep that once the head is explicit.
      if (chunk !== undefined && chunk !== null && !res.hasHeader('content-length') && !res.hasHeader('transfer-encoding')) {
        res.setHeader('content-length', toBuffer(chunk, encoding).length);
      }
      head(res.statusCode, undefined, undefined);
    }
    if (sink === undefined) {
      const args = [chunk, encoding, callback].filter((arg) => arg !== undefined);
      belowEnd.call(res, ...args);
      return res;
    }
    if (typeof callback === 'function') res.once('finish', callback as () => void);
    if (chunk !== undefined && chunk !== null) {
      const buffer = toBuffer(chunk, encoding);
      if (buffer.length > 0) sink.write(buffer);
    }
    sink.end();
    return res;
  }

  target['writeHead'] = writeHead;
  target['write'] = write;
  target['end'] = end;
  Object.defineProperty(res, 'headersSent', {
    configurable: true,
    get: () => headSeen || (belowHeadersSent?.call(res) as boolean),
  });

  return {
    down,
    get headSeen() {
      return headSeen;
    },
    restore() {
      for (const [key, descriptor] of saved) {
        if (descriptor === undefined) delete target[key];
        else Object.defineProperty(res, key, descriptor);
      }
    },
  };
}

/** Everything the handlers below set on `res` before `snapshot` is undone by calling the returned function. */
export function snapshotHeaders(res: ServerResponse): () => void {
  const headers = res.getHeaders();
  const status = res.statusCode;
  return () => {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    res.statusCode = status;
  };
}

/** A chunk as Buffer, whatever form `write` received it in. */
export function toBuffer(chunk: unknown, encoding?: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.alloc(0);
}

/** Headers given to writeHead, moved onto the response so that taps above see them with getHeader. */
function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (headers === undefined || headers === null) return;
  if (Array.isArray(headers)) {
    // Either [[name, value], ...] or the raw form [name, value, name, value...].
    const pairs: Array<[string, string]> = Array.isArray(headers[0])
      ? (headers as Array<[string, string]>)
      : Array.from({ length: Math.floor(headers.length / 2) }, (_, i) => [String(headers[2 * i]), String(headers[2 * i + 1])]);
    const grouped = new Map<string, string[]>();
    for (const [name, value] of pairs) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    return;
  }
  for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) {
    if (value !== undefined) res.setHeader(name, value);
  }
}

function findGetter(object: object, key: string): (() => unknown) | undefined {
  for (let proto: object | null = object; proto !== null; proto = Object.getPrototypeOf(proto) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, key);
    if (descriptor !== undefined) return descriptor.get;
  }
  return undefined;
}
