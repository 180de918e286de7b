import type { ServerResponse } from 'node:http';
import * as zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import { ErrorCodes } from '../../errors/codes.js';
import { negotiateEncoding } from './accept-encoding.js';
import { mediaTypeMatches, parseMediaType, type MediaType } from './media-type.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { headerValue } from './request-headers.js';
import { tapResponse, type BodySink, type Downstream } from './response-tap.js';

type Encoder = () => Transform;

// zstd is in node:zlib from Node 22.15/23.8; on older Node it is left out of negotiation.
const zstd = (zlib as unknown as { createZstdCompress?: (options?: object) => Transform }).createZstdCompress;

/**
 * Every write is flushed (sync flush), so streamed responses (server-sent events, long polls) keep flowing;
 * Traefik flushes on the proxy's flush interval, which Node's piping does not expose.
 */
const ENCODERS: Readonly<Record<string, Encoder | undefined>> = {
  gzip: () => zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }),
  br: () => zlib.createBrotliCompress({
    flush: zlib.constants.BROTLI_OPERATION_FLUSH,
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 },
  }),
  zstd: zstd === undefined ? undefined : () => zstd({ flush: (zlib.constants as unknown as Record<string, number>)['ZSTD_e_flush'] }),
};

const DEFAULT_MIN_SIZE = 1024;

/**
 * compress: encodes responses with gzip, brotli or zstd as negotiated from Accept-Encoding. Nothing is
 * compressed for HEAD, gRPC, already-encoded or ranged responses, excluded (or not included) content types,
 * or bodies smaller than `minResponseBodyBytes` (the start of the body is held until that size is reached).
 */
export const compress: MiddlewareFactory<'compress'> = (options, build) => {
  const encodings = options.encodings.filter((encoding) => ENCODERS[encoding] !== undefined);
  if (encodings.length === 0) {
    throw new MiddlewareBuildError(ErrorCodes.NOT_SUPPORTED, `encodings: ${options.encodings.join(', ')} cannot be used: zstd needs Node.js 22.15 or later; add gzip or br`);
  }
  if (encodings.length < options.encodings.length && options.encodings.join() !== 'gzip,br,zstd') {
    build.warn(ErrorCodes.NOT_SUPPORTED, 'encodings: zstd is ignored, it needs Node.js 22.15 or later');
  }
  const defaultEncoding = options.defaultEncoding || undefined;
  if (defaultEncoding !== undefined && !options.encodings.includes(defaultEncoding as never)) {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `defaultEncoding: "${defaultEncoding}" is not one of encodings (${options.encodings.join(', ')})`);
  }
  const parseList = (key: string, list: readonly string[]): MediaType[] => list.map((value, i) => {
    const parsed = parseMediaType(value);
    if (parsed === undefined) throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}[${i}]: "${value}" is not a media type`);
    return parsed;
  });
  const excludes = parseList('excludedContentTypes', options.excludedContentTypes ?? []);
  const includes = parseList('includedContentTypes', options.includedContentTypes ?? []);
  const minSize = options.minResponseBodyBytes > 0 ? options.minResponseBodyBytes : DEFAULT_MIN_SIZE;

  const compressible = (res: ServerResponse, status: number): boolean => {
    if (status === 204 || status === 304 || status === 206 || status < 200) return false;
    if (res.hasHeader('content-encoding') || res.hasHeader('content-range')) return false;
    const length = Number(res.getHeader('content-length'));
    if (Number.isInteger(length) && length < minSize) return false;
    const contentType = res.getHeader('content-type');
    if (contentType === undefined) return true;
    const media = parseMediaType(String(contentType));
    if (media === undefined || isGrpc(media.type)) return false;
    if (includes.length > 0 && !includes.some((pattern) => mediaTypeMatches(pattern, media))) return false;
    return !excludes.some((pattern) => mediaTypeMatches(pattern, media));
  };

  return (next) => (req, res, ctx) => {
    if (req.method === 'HEAD') return next(req, res, ctx);
    const requestType = parseMediaType(headerValue(req, 'content-type') ?? '');
    if (requestType !== undefined && (isGrpc(requestType.type) || excludes.some((p) => p.type === requestType.type))) return next(req, res, ctx);
    const accept = headerValue(req, 'accept-encoding');
    const encoding = accept === undefined ? defaultEncoding : negotiateEncoding(accept, encodings, defaultEncoding);
    const encoder = encoding === undefined ? undefined : ENCODERS[encoding];
    if (encoding === undefined || encoder === undefined) return next(req, res, ctx);
    tapResponse(res, (status, down) => {
      addVary(res);
      return compressible(res, status) ? holdUntil(res, status, down, minSize, encoding, encoder) : undefined;
    });
    next(req, res, ctx);
  };
};

/**
 * gRPC has its own message compression and breaks when re-encoded. Traefik skips exactly application/grpc;
 * Berth also skips its variants (application/grpc+proto, application/grpc-web...).
 */
function isGrpc(type: string): boolean {
  return type.startsWith('application/grpc');
}

function addVary(res: ServerResponse): void {
  const vary = res.getHeader('vary');
  const current = vary === undefined ? '' : Array.isArray(vary) ? vary.join(', ') : String(vary);
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(current)) res.setHeader('Vary', current === '' ? 'Accept-Encoding' : `${current}, Accept-Encoding`);
}

/**
 * Holds the body until `minSize` bytes arrived: then the head goes out with Content-Encoding and the body is
 * streamed through the encoder; if the body ends first, it goes out unchanged.
 */
function holdUntil(res: ServerResponse, status: number, down: Downstream, minSize: number, encoding: string, encoder: Encoder): BodySink {
  let held: Buffer[] = [];
  let size = 0;
  let stream: Transform | undefined;

  const start = (): Transform => {
    res.removeHeader('content-length');
    res.removeHeader('accept-ranges');
    res.setHeader('Content-Encoding', encoding);
    down.writeHead(status);
    const encoded = encoder();
    encoded.on('data', (chunk: Buffer) => {
      if (!down.write(chunk)) {
        encoded.pause();
        res.once('drain', () => encoded.resume());
      }
    });
    encoded.on('end', () => down.end());
    encoded.on('error', () => res.destroy());
    res.once('close', () => encoded.destroy());
    for (const chunk of held) encoded.write(chunk);
    held = [];
    return encoded;
  };

  return {
    write(chunk) {
      if (stream === undefined) {
        held.push(chunk);
        size += chunk.length;
        if (size < minSize) return true;
        stream = start();
        return true;
      }
      if (stream.write(chunk)) return true;
      stream.once('drain', () => res.emit('drain'));
      return false;
    },
    end() {
      if (stream !== undefined) {
        stream.end();
        return;
      }
      // The whole body is known: send it with its length rather than chunked.
      if (!res.hasHeader('content-length') && !res.hasHeader('transfer-encoding')) res.setHeader('content-length', size);
      down.writeHead(status);
      for (const chunk of held) down.write(chunk);
      down.end();
    },
  };
}
