import { detectContentType } from './content-sniff.js';
import type { MiddlewareFactory } from './middleware.js';
import { tapResponse } from './response-tap.js';

/**
 * contentType: a response without Content-Type gets one sniffed from its first bytes (Go's
 * DetectContentType), as Traefik v2 did by default and v3 does only with this middleware.
 */
export const contentType: MiddlewareFactory<'contentType'> = (options) => {
  // The schema already warns that autoDetect is deprecated; `false` disables detection, as in Traefik.
  if (options.autoDetect === false) return (next) => next;
  return (next) => (req, res, ctx) => {
    tapResponse(res, (status, down) => {
      if (res.hasHeader('content-type') || status === 204 || status === 304 || status < 200) return undefined;
      let sniffed = false;
      return {
        write(chunk) {
          if (!sniffed) {
            sniffed = true;
            res.setHeader('content-type', detectContentType(chunk));
            down.writeHead(status);
          }
          return down.write(chunk);
        },
        end() {
          if (!sniffed) down.writeHead(status);
          down.end();
        },
      };
    });
    next(req, res, ctx);
  };
};
