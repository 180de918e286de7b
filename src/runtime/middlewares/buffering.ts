import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { snapshotHeaders, tapResponse, type Downstream } from './response-tap.js';
import { readBody, syntheticRequest } from './synthetic-request.js';

/**
 * buffering: reads the whole request body before passing the request on (so the backend gets it at once,
 * with its length) and the whole response before answering. Over maxRequestBodyBytes the answer is 413,
 * over maxResponseBodyBytes 500 (oxy's buffer, as Traefik uses it). Bodies are held in memory: Berth does not
 * spill them to disk past mem*BodyBytes, so set the max* limits for large bodies.
 */
export const buffering: MiddlewareFactory<'buffering'> = (options) => {
  if (options.retryExpression) {
    throw new MiddlewareBuildError(ErrorCodes.NOT_SUPPORTED, 'retryExpression is not supported by Berth; remove it and put a retry middleware in front of buffering');
  }
  const maxRequest = options.maxRequestBodyBytes > 0 ? options.maxRequestBodyBytes : -1;
  const maxResponse = options.maxResponseBodyBytes > 0 ? options.maxResponseBodyBytes : -1;

  return (next) => (req, res, ctx) => {
    const bufferResponse = (): void => {
      if (options.disableResponseBuffer) return;
      const restoreHeaders = snapshotHeaders(res);
      tapResponse(res, (status, down) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        return {
          write(chunk) {
            if (failed) return true;
            size += chunk.length;
            if (maxResponse >= 0 && size > maxResponse) {
              failed = true;
              restoreHeaders();
              answer(res, down, 500, 'Internal Server Error');
              return true;
            }
            chunks.push(chunk);
            return true;
          },
          end() {
            if (failed) return;
            res.removeHeader('transfer-encoding');
            res.setHeader('content-length', size);
            down.writeHead(status);
            for (const chunk of chunks) down.write(chunk);
            down.end();
          },
        };
      });
    };

    if (options.disableRequestBuffer) {
      bufferResponse();
      return next(req, res, ctx);
    }
    const declared = Number(req.headers['content-length']);
    if (maxRequest >= 0 && declared > maxRequest) return tooLarge(res);
    readBody(req, maxRequest).then((read) => {
      if (!read.ok) return read.reason === 'too-large' ? tooLarge(res) : res.destroy();
      const headers = { ...req.headers, 'content-length': String(read.body.length) };
      delete headers['transfer-encoding'];
      bufferResponse();
      next(syntheticRequest(req, { body: read.body, headers }), res, ctx);
    }, () => res.destroy());
  };
};

function tooLarge(res: ServerResponse): void {
  const body = 'Request Entity Too Large';
  res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, connection: 'close' });
  res.end(body);
}

function answer(res: ServerResponse, down: Downstream, status: number, body: string): void {
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', body.length);
  down.writeHead(status);
  down.write(Buffer.from(body));
  down.end();
}
