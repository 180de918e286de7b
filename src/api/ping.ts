import type { Handler } from '../runtime/handler.js';

/**
 * `ping@internal`: `GET|HEAD /ping` answers 200 `OK`, and `terminatingStatusCode` (503) once graceful shutdown
 * has begun, so a load balancer in front stops sending traffic while in-flight requests drain.
 */
export function createPingHandler(isTerminating: () => boolean, terminatingStatusCode: number): Handler {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const status = isTerminating() ? terminatingStatusCode : 200;
    const body = status === 200 ? 'OK' : 'Service Unavailable';
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** `noop@internal`: the service of routers whose middlewares always answer (entrypoint redirections). */
export const noopHandler: Handler = (_req, res) => {
  res.writeHead(200, { 'content-length': 0 }).end();
};
