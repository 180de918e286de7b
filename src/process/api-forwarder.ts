import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendStatus, type Handler } from '../runtime/handler.js';

/**
 * `api@internal` in a worker: the API describes the leader's state (statuses with ACME and health, providers,
 * workers), which only the leader has, so the request is relayed to the leader's private API server on a Unix
 * socket (`fixedPath`: always that path, for `prometheus@internal`). The router's middlewares (basicAuth, ipAllowList...) already ran in the worker, as for any service.
 */
export function createApiForwarder(socketPath: string, fixedPath?: string): Handler {
  return (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request({ socketPath, method: req.method, path: fixedPath ?? req.url ?? '/', headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('error', () => sendStatus(res, 502, 'Bad Gateway'));
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  };
}

