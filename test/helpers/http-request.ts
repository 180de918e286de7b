import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpRequestOptions {
  readonly method?: string;
  /** Sent as the Host header (and as the TLS server name for https). */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** PEM roots to trust for https (nothing else is trusted). */
  readonly ca?: string;
  readonly body?: string;
  readonly timeoutMs?: number;
}

/**
 * One request on a fresh connection (no agent), so that every request is routed on its own: `url` names the
 * address to connect to (127.0.0.1:<entrypoint port>) and the path; `host` the virtual host. Rejects on a
 * connection error or timeout.
 */
export function send(url: string, options: HttpRequestOptions = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.host !== undefined) headers['host'] = options.host;
  const tls = target.protocol === 'https:';
  const make = tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(url, {
      method: options.method ?? 'GET',
      headers,
      agent: false,
      timeout: options.timeoutMs ?? 5000,
      ...(tls ? { ca: options.ca, servername: options.host ?? target.hostname } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${options.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
