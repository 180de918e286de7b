import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { canonicalHeaderKey } from './header-names.js';
import type { MiddlewareFactory } from './middleware.js';
import { headerValue } from './request-headers.js';
import { tapResponse, type BodySink, type Downstream } from './response-tap.js';
import { syntheticRequest } from './synthetic-request.js';

const GRPC_WEB = 'application/grpc-web';
const GRPC_WEB_TEXT = 'application/grpc-web-text';
const CORS_METHODS = new Set(['GET', 'POST', 'HEAD']);

/**
 * grpcWeb: turns gRPC-Web requests from browsers into gRPC for the backend, as improbable-eng's grpcweb
 * wrapper does for Traefik: the content type becomes application/grpc (the -text variant is base64-decoded),
 * and on the way back the gRPC trailers (grpc-status, grpc-message) become a trailer frame at the end of the
 * body, since browsers cannot read HTTP trailers. CORS for `allowOrigins` follows rs/cors as Traefik wires it.
 * The forwarding service must speak HTTP/2 to gRPC backends and hand their trailers to `res.addTrailers`.
 */
export const grpcWeb: MiddlewareFactory<'grpcWeb'> = (options) => {
  const origins = options.allowOrigins ?? [];
  const originAllowed = (origin: string): boolean => origins.some((allowed) => allowed === '*' || allowed === origin);

  const preflight = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('vary', ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']);
    const origin = headerValue(req, 'origin') ?? '';
    const method = (headerValue(req, 'access-control-request-method') ?? '').toUpperCase();
    if (origin !== '' && originAllowed(origin) && CORS_METHODS.has(method)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-methods', method);
      const requested = (headerValue(req, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
      if (requested.length > 0) res.setHeader('access-control-allow-headers', requested.map(canonicalHeaderKey).join(', '));
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-max-age', '600');
    }
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  };

  return (next) => (req, res, ctx) => {
    const contentType = headerValue(req, 'content-type') ?? '';
    if (req.method === 'OPTIONS' && (headerValue(req, 'access-control-request-headers') ?? '').toLowerCase().includes('x-grpc-web')) {
      return preflight(req, res);
    }
    if (req.method !== 'POST' || !contentType.startsWith(GRPC_WEB)) return next(req, res, ctx);

    res.setHeader('vary', 'Origin');
    const origin = headerValue(req, 'origin') ?? '';
    if (origin !== '' && originAllowed(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
    }
    const text = contentType.startsWith(GRPC_WEB_TEXT);
    const headers: IncomingHttpHeaders = { ...req.headers, 'content-type': contentType.replace(text ? GRPC_WEB_TEXT : GRPC_WEB, 'application/grpc') };
    delete headers['content-length'];
    headers['te'] ??= 'trailers';
    const grpc = syntheticRequest(req, { headers, rest: true, ...(text ? { transform: base64Decoder() } : {}) });
    translateResponse(res, text);
    next(grpc, res, ctx);
  };
};

/** gRPC response -> gRPC-Web response: content type, exposed headers, trailers as the last body frame. */
function translateResponse(res: ServerResponse, text: boolean): void {
  const trailers: Record<string, string> = {};
  (res as unknown as { addTrailers: (headers: Record<string, unknown>) => void }).addTrailers = (added) => {
    for (const [name, value] of Object.entries(added)) trailers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  };
  tapResponse(res, (status, down): BodySink => {
    const type = res.getHeader('content-type');
    if (typeof type === 'string') res.setHeader('content-type', type.replace('application/grpc', text ? GRPC_WEB_TEXT : GRPC_WEB));
    res.removeHeader('trailer');
    res.removeHeader('content-length');
    const exposed = [...res.getHeaderNames().filter((name) => name !== 'vary' && !name.startsWith('access-control-')).map(canonicalHeaderKey), 'grpc-status', 'grpc-message'];
    res.setHeader('access-control-expose-headers', exposed.join(', '));
    const sent = new Set(res.getHeaderNames());
    down.writeHead(status);
    const encoder = text ? base64Encoder() : undefined;
    const emit = (chunk: Buffer): boolean => down.write(encoder === undefined ? chunk : encoder.chunk(chunk));
    return {
      write: (chunk) => emit(chunk),
      end: () => finish(down, trailers, sent, emit, encoder),
    };
  });
}

/** Writes the trailer frame: flag 0x80, length, then `name: value\r\n` lines (Go's Header.Write order). */
function finish(down: Downstream, trailers: Record<string, string>, sent: ReadonlySet<string>, emit: (chunk: Buffer) => boolean, encoder: { flush(): Buffer } | undefined): void {
  const lines = Object.keys(trailers).filter((name) => !sent.has(name)).sort().map((name) => `${name}: ${trailers[name]}\r\n`).join('');
  const payload = Buffer.from(lines);
  const frame = Buffer.alloc(5);
  frame[0] = 0x80;
  frame.writeUInt32BE(payload.length, 1);
  emit(Buffer.concat([frame, payload]));
  if (encoder !== undefined) down.write(encoder.flush());
  down.end();
}

/** Streaming base64 decoding; a segment may end with padding and another begin (concatenated messages). */
function base64Decoder(): { chunk(data: Buffer): Buffer; flush(): Buffer } {
  let pending = '';
  const take = (final: boolean): Buffer => {
    const usable = final ? pending.length : pending.length - (pending.length % 4);
    const out: Buffer[] = [];
    for (let i = 0; i < usable; i += 4) out.push(Buffer.from(pending.slice(i, i + 4), 'base64'));
    pending = pending.slice(usable);
    return Buffer.concat(out);
  };
  return {
    chunk: (data) => {
      pending += data.toString('latin1').replace(/[\r\n\s]/g, '');
      return take(false);
    },
    flush: () => take(true),
  };
}

/** Streaming base64 encoding: whole 3-byte groups as they come, the rest (with padding) at the end. */
function base64Encoder(): { chunk(data: Buffer): Buffer; flush(): Buffer } {
  let pending = Buffer.alloc(0);
  return {
    chunk: (data) => {
      const all = Buffer.concat([pending, data]);
      const usable = all.length - (all.length % 3);
      pending = all.subarray(usable);
      return Buffer.from(all.subarray(0, usable).toString('base64'));
    },
    flush: () => {
      const out = Buffer.from(pending.toString('base64'));
      pending = Buffer.alloc(0);
      return out;
    },
  };
}
