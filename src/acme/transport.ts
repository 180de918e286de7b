import { request as httpsRequest, Agent } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { rootCertificates } from 'node:tls';
import type { Client } from 'acme-client';

/** An RFC 8555 §6.7 problem document the CA sent, kept so failures can be classified (rateLimited...). */
export interface AcmeProblem {
  readonly type: string;
  readonly detail: string;
  readonly status: number;
  /** From Retry-After, in ms, when the CA gave one. */
  readonly retryAfterMs?: number;
}

export interface TransportOptions {
  /** PEM roots to trust for the ACME server (`caCertificates`), in addition to the system's when `caSystemCertPool`. */
  readonly ca?: readonly string[];
  readonly caSystemCertPool?: boolean;
  /** `caServerName`: the name to verify the ACME server's certificate against. */
  readonly serverName?: string;
  readonly timeoutMs: number;
  readonly responseHeaderTimeoutMs: number;
  readonly signal: AbortSignal;
}

interface AxiosLikeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  data: unknown;
}

/** Parses Retry-After: seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Gives one acme-client Client its own HTTP transport. acme-client sends everything through one process-wide
 * axios instance whose interceptor sleeps for whatever Retry-After says (hours, for a rate limit) and which
 * has no per-client TLS trust. Replacing the client's `http.request` keeps every other part of acme-client
 * (JWS, nonces, badNonce retries) and gives: the resolver's CA roots on its own https.Agent (verification stays
 * on, nothing global changes), the configured timeouts, abort on shutdown, and the last problem document.
 */
export function installTransport(client: Client, options: TransportOptions): { lastProblem(): AcmeProblem | undefined } {
  const http = (client as unknown as { http?: { request?: unknown } }).http;
  if (http === undefined || typeof http.request !== 'function') {
    throw new Error('this acme-client version has no replaceable HTTP transport (client.http.request)');
  }
  const agent = new Agent({
    keepAlive: true,
    ...(options.ca === undefined || options.ca.length === 0 ? {} : { ca: options.caSystemCertPool ? [...options.ca, ...rootCertificates] : [...options.ca] }),
    ...(options.serverName === undefined || options.serverName === '' ? {} : { servername: options.serverName }),
  });
  let problem: AcmeProblem | undefined;
  http.request = (url: string, method: string, opts: { data?: unknown; headers?: Record<string, string> } = {}): Promise<AxiosLikeResponse> =>
    send(url, method, opts, agent, options).then((response) => {
      type Problem = { type?: unknown; detail?: unknown };
      const data = response.data as (Problem & { status?: unknown; error?: Problem }) | undefined;
      // A problem is either the response itself (4xx/5xx) or, for an invalid challenge, authorization or
      // order, the `error` it carries (RFC 8555 §7.1.6).
      const found = response.status >= 400 ? data : data?.status === 'invalid' ? data.error : undefined;
      if (typeof found?.type === 'string') {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after'] as string | undefined);
        problem = { type: found.type, detail: typeof found.detail === 'string' ? found.detail : '', status: response.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      }
      return response;
    });
  return { lastProblem: () => problem };
}

function send(url: string, method: string, opts: { data?: unknown; headers?: Record<string, string> }, agent: Agent, options: TransportOptions): Promise<AxiosLikeResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const body = opts.data === undefined ? undefined : Buffer.from(typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data));
    // As acme-client's own request(): every ACME POST is a JWS (RFC 8555 §6.2).
    const headers: Record<string, string> = { 'user-agent': 'berth', 'content-type': 'application/jose+json', ...(opts.headers ?? {}), ...(body === undefined ? {} : { 'content-length': String(body.length) }) };
    const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
    const request = (target.protocol === 'http:' ? httpRequest : httpsRequest)(target, { method: method.toUpperCase(), headers, signal, ...(target.protocol === 'https:' ? { agent } : {}) }, (response) => {
      clearTimeout(headerTimer);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let data: unknown = text;
        if (/json/.test(String(response.headers['content-type'] ?? '')) && text !== '') {
          try {
            data = JSON.parse(text);
          } catch {
            data = text;
          }
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, data });
      });
    });
    const headerTimer = setTimeout(() => request.destroy(new Error(`no response headers from ${target.origin} within ${options.responseHeaderTimeoutMs} ms`)), options.responseHeaderTimeoutMs);
    request.on('error', (err) => {
      clearTimeout(headerTimer);
      reject(new Error(`${method.toUpperCase()} ${url}: ${err.message}`));
    });
    request.end(body);
  });
}
