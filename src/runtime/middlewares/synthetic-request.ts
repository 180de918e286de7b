import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';

export interface SyntheticRequestOptions {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: IncomingHttpHeaders;
  /** The body, or its beginning when `rest` is set; the request ends after it otherwise. */
  readonly body?: Buffer;
  /** Streams the rest of `base`'s body after `body` (for a body too long to hold in memory). */
  readonly rest?: boolean;
  /** Changes the streamed rest chunk by chunk (`flush` gives what is left at the end). */
  readonly transform?: { chunk(data: Buffer): Buffer; flush(): Buffer };
}

/**
 * A request that handlers downstream can read again, built from `base`: the same connection (`socket`, for
 * the client address and TLS details) with a body that is already in memory. Used to replay a request
 * (retry, forwardAuth with forwardBody, buffering) and to issue internal requests (the errors page).
 * Reading or destroying it never touches the client connection.
 */
export function syntheticRequest(base: IncomingMessage, options: SyntheticRequestOptions = {}): IncomingMessage {
  const request = new IncomingMessage(base.socket);
  const target = request as unknown as Record<string, unknown>;
  // The body is pushed up front; reading must not resume (or destroying destroy) the client's socket.
  target['_read'] = () => undefined;
  target['_destroy'] = (err: Error | null, callback: (err: Error | null) => void) => callback(err);
  request.httpVersionMajor = base.httpVersionMajor;
  request.httpVersionMinor = base.httpVersionMinor;
  request.httpVersion = base.httpVersion;
  request.method = options.method ?? base.method ?? 'GET';
  request.url = options.url ?? base.url ?? '/';
  const headers = options.headers ?? base.headers;
  request.headers = headers;
  request.rawHeaders = Object.entries(headers).flatMap(([name, value]) =>
    value === undefined ? [] : Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, value]);
  if (options.body !== undefined && options.body.length > 0) request.push(options.body);
  if (options.rest === true) {
    // The rest flows from the client as it is read, with backpressure.
    target['_read'] = () => base.resume();
    const transform = options.transform;
    base.on('data', (chunk: Buffer) => {
      if (!request.push(transform === undefined ? chunk : transform.chunk(chunk))) base.pause();
    });
    base.once('end', () => {
      const last = transform?.flush();
      if (last !== undefined && last.length > 0) request.push(last);
      request.complete = true;
      request.push(null);
    });
    base.once('error', (err) => request.destroy(err));
    return request;
  }
  request.push(null);
  request.complete = true;
  return request;
}

/** A body read into memory, or why not: over the limit (with the part read, the rest still unread) or failed. */
export type BodyRead = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: 'too-large' | 'error'; readonly read: Buffer };

/**
 * Reads a request body into memory, up to `limit` bytes (negative: no limit). Stops reading as soon as the
 * limit is exceeded; what was read is returned so that it can still be forwarded.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (limit >= 0 && size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too-large', read: Buffer.concat(chunks) });
      }
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks) });
    const onError = (): void => finish({ ok: false, reason: 'error', read: Buffer.concat(chunks) });
    if (req.readableEnded) return finish({ ok: true, body: Buffer.alloc(0) });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
