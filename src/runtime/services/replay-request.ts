import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { Duplex, type Readable } from 'node:stream';

/** The body of a request read into memory, or the part read before it went over the limit. */
export type BufferedBody = { readonly complete: true; readonly body: Buffer } | { readonly complete: false; readonly body: Buffer };

/**
 * Reads a request body into memory, up to `maxBytes` (negative: no limit), as Traefik's NewReusableRequest does
 * for mirroring and failover. Reading stops at the limit: the rest stays in `req` for the caller to stream on.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BufferedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (maxBytes >= 0 && size > maxBytes) {
        cleanup();
        req.pause();
        resolve({ complete: false, body: Buffer.concat(chunks) });
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ complete: true, body: Buffer.concat(chunks) });
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(new Error('the client closed the connection while sending the body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * A fresh request with `original`'s method, target and headers and the given body, for a handler that must see
 * the request again (a mirror, the fallback of a failover). `rawHeaders` stay the client's, so forwarded
 * headers are judged on what the client really sent. A Buffer body gets a matching Content-Length; a stream
 * body (what was read past a limit, then the rest) keeps the original framing; no body drops both.
 */
export function replayRequest(original: IncomingMessage, body: Buffer | Readable | undefined): IncomingMessage {
  // A detached socket: the replay must not read from, nor be closed with, the client's connection.
  const replay = new IncomingMessage(new Socket());
  replay.method = original.method;
  replay.url = original.url;
  // An HTTP/1.1 request whatever the client spoke: its body framing is then explicit in its headers.
  replay.httpVersion = '1.1';
  replay.httpVersionMajor = 1;
  replay.httpVersionMinor = 1;
  replay.rawHeaders = original.rawHeaders;
  const headers = { ...original.headers };
  if (body === undefined || Buffer.isBuffer(body)) {
    delete headers['transfer-encoding'];
    if (body === undefined || body.length === 0) delete headers['content-length'];
    else headers['content-length'] = String(body.length);
  } else if (headers['content-length'] === undefined) {
    headers['transfer-encoding'] = 'chunked';
  }
  replay.headers = headers;
  if (body === undefined) {
    replay.push(null);
  } else if (Buffer.isBuffer(body)) {
    if (body.length > 0) replay.push(body);
    replay.push(null);
  } else {
    body.on('data', (chunk: Buffer) => {
      if (!replay.push(chunk)) body.pause();
    });
    body.on('end', () => replay.push(null));
    body.on('error', (err) => replay.destroy(err));
    replay._read = () => {
      body.resume();
    };
  }
  replay.complete = !(body !== undefined && !Buffer.isBuffer(body));
  return replay;
}

/** A Duplex that swallows everything written to it: the socket of a response nobody reads (a mirror's). */
function discardSocket(): Duplex {
  return new Duplex({
    write(_chunk, _encoding, callback) {
      callback();
    },
    read() {},
  });
}

/** A response whose bytes go nowhere, for mirrored requests (Traefik discards mirror responses too). */
export function discardResponse(req: IncomingMessage): ServerResponse {
  const res = new ServerResponse(req);
  res.assignSocket(discardSocket() as Socket);
  return res;
}
