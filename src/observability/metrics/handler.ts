import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PrometheusMetrics } from './prometheus.js';

/**
 * `prometheus@internal`: the exposition text at whatever path routes here (`/metrics` on the
 * `metrics.prometheus.entryPoint` unless manualRouting). GET and HEAD only.
 */
export function createPrometheusHandler(metrics: Pick<PrometheusMetrics, 'render'>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
      return;
    }
    metrics.render().then((text) => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    }, () => {
      if (!res.headersSent) res.writeHead(500, { 'content-length': 0 }).end();
    });
  };
}
