import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
  /** Reuse connections through this agent instead of a fresh connection per request. */
  readonly agent?: import('node:http').Agent;
  /** The source address to connect from (another 127.0.0.0/8 address to look like another client). */
  readonly localAddress?: string;
}

/** One HTTP request to a URL on loopback; resolves with the whole answer. */
export function http(url: string, options: HttpOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: options.agent ?? false, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GET with a Host header. */
export function getHost(url: string, host: string, headers: OutgoingHttpHeaders = {}): Promise<HttpReply> {
  return http(url, { headers: { host, ...headers } });
}

/** The JSON an echo backend (test/helpers/backend.ts) answered. */
export function echoed(reply: HttpReply): { name: string; url: string; method: string; headers: IncomingHttpHeaders } {
  return JSON.parse(reply.text) as { name: string; url: string; method: string; headers: IncomingHttpHeaders };
}
