import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Agent, Dispatcher } from 'undici';
import { loadUndici } from '../services/undici-module.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { RequestContext } from '../request-context.js';
import type { Handler } from '../handler.js';
import { authRequestHeaders, cookieName, FORWARDED_HEADERS, refusalHeaders } from './forward-auth-headers.js';
import { canonicalHeaderKey } from './header-names.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { compileRegexOption } from './options.js';
import { tapResponse } from './response-tap.js';
import { readBody, syntheticRequest } from './synthetic-request.js';

const AUTH_TIMEOUT_MS = 30_000;
/** nginx's (and Traefik's) status for a client that went away before the answer. */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * forwardAuth: asks the auth server at `address` about every request (a GET carrying the original's headers
 * and X-Forwarded-Method/Proto/Host/Uri/For). A 2xx lets the request through, with `authResponseHeaders`
 * (and `authResponseHeadersRegex` matches) copied onto it; any other answer goes back to the client as is.
 */
export const forwardAuth: MiddlewareFactory<'forwardAuth'> = (options, build) => {
  let address: URL;
  try {
    address = new URL(options.address);
  } catch {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `address: "${options.address}" is not a URL (e.g. http://auth:4181/verify)`);
  }
  if (address.protocol !== 'http:' && address.protocol !== 'https:') {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `address: "${options.address}" must use http or https`);
  }
  if (options.tls?.caOptional !== undefined) {
    build.warn(ErrorCodes.INVALID_VALUE, 'tls.caOptional is deprecated and ignored: client authentication is a server-side option');
  }
  const connect = tlsConnectOptions(options.tls);
  const trust = options.trustForwardHeader;
  const allowedRaw = (options.authRequestHeaders ?? []).map((name) => name.toLowerCase());
  const allowed = allowedRaw.length === 0 ? undefined : trust ? [...allowedRaw, ...FORWARDED_HEADERS] : allowedRaw;
  const copied = (options.authResponseHeaders ?? []).map((name) => name.toLowerCase());
  const copiedRegex = options.authResponseHeadersRegex ? compileRegexOption('authResponseHeadersRegex', options.authResponseHeadersRegex) : undefined;
  const authCookies = new Set(options.addAuthCookiesToResponse ?? []);
  if (options.forwardBody && options.maxBodySize < 0) {
    build.logger.warn('forwardBody is set without maxBodySize: request bodies of any size are held in memory');
  }
  // One connection pool per middleware and graph, created on first use (undici loads then, see undici-module.ts)
  // and closed (after in-flight checks) when the graph is replaced.
  let dispatcher: Agent | undefined;
  build.signal.addEventListener('abort', () => void dispatcher?.close(), { once: true });

  const refuse = (res: ServerResponse, status: number): void => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'content-length': 0 });
    res.end();
  };

  const ask = async (req: IncomingMessage, res: ServerResponse, ctx: RequestContext, next: Handler): Promise<void> => {
    let forwarded = req;
    let body: Buffer | undefined;
    // A CONNECT body of unknown length is tunnel data, not something to show the auth server.
    if (options.forwardBody && !(req.method === 'CONNECT' && req.headers['content-length'] === undefined)) {
      const read = await readBody(req, options.maxBodySize);
      if (!read.ok) return refuse(res, read.reason === 'too-large' ? 401 : 500);
      body = read.body;
      forwarded = syntheticRequest(req, { body });
    }
    const headers = authRequestHeaders(req, ctx, trust, allowed);
    if (body !== undefined && body.length > 0) headers['content-length'] = String(body.length);
    const aborted = new AbortController();
    const onClose = (): void => aborted.abort();
    res.once('close', onClose);
    let answer: Dispatcher.ResponseData;
    let answerBody: Buffer;
    try {
      const undici = await loadUndici();
      dispatcher ??= new undici.Agent({ connect });
      answer = await undici.request(address, {
        dispatcher,
        method: (options.preserveRequestMethod ? req.method ?? 'GET' : 'GET') as Dispatcher.HttpMethod,
        headers,
        body: body !== undefined && body.length > 0 ? body : null,
        signal: AbortSignal.any([aborted.signal, AbortSignal.timeout(AUTH_TIMEOUT_MS)]),
      });
      const read = await readLimited(answer.body, options.maxResponseBodySize);
      if (read === undefined) return refuse(res, 401);
      answerBody = read;
    } catch (err) {
      if (aborted.signal.aborted) return refuse(res, CLIENT_CLOSED_REQUEST);
      build.logger.error({ err, address: address.href }, 'calling the forwardAuth server failed');
      return refuse(res, 500);
    } finally {
      res.off('close', onClose);
    }
    if (res.destroyed || res.writableEnded) return;

    if (options.authSigninURL && answer.statusCode === 401) return redirect(req, res, options.authSigninURL);
    if (answer.statusCode < 200 || answer.statusCode >= 300) return relayRefusal(res, answer, answerBody);

    for (const name of copied) {
      delete forwarded.headers[name];
      const value = answer.headers[name];
      if (value !== undefined) forwarded.headers[name] = Array.isArray(value) && name !== 'set-cookie' ? value.join(', ') : value;
    }
    if (copiedRegex !== undefined) {
      // Traefik matches canonical names (X-Auth-User), so the regex is tried on those.
      for (const name of Object.keys(forwarded.headers)) if (copiedRegex.test(canonicalHeaderKey(name))) delete forwarded.headers[name];
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value !== undefined && copiedRegex.test(canonicalHeaderKey(name))) forwarded.headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
    }
    const setCookies = [answer.headers['set-cookie'] ?? []].flat().filter((cookie) => authCookies.has(cookieName(cookie)));
    if (setCookies.length > 0) {
      tapResponse(res, () => {
        // The auth server's cookies named in addAuthCookiesToResponse replace the backend's of the same name.
        const backend = [res.getHeader('set-cookie') ?? []].flat().map(String).filter((cookie) => !authCookies.has(cookieName(cookie)));
        res.setHeader('set-cookie', [...backend, ...setCookies]);
        return undefined;
      });
    }
    next(forwarded, res, ctx);
  };

  const relayRefusal = (res: ServerResponse, answer: Dispatcher.ResponseData, body: Buffer): void => {
    for (const [name, value] of refusalHeaders(answer.headers)) res.setHeader(name, value);
    const location = answer.headers['location'];
    if (typeof location === 'string' && location !== '' && !options.preserveLocationHeader) {
      // Go's Response.Location: relative to the auth request's URL.
      try {
        res.setHeader('location', new URL(location, address).href);
      } catch {
        return refuse(res, 500);
      }
    }
    res.writeHead(answer.statusCode);
    res.end(body);
  };

  return (next) => (req, res, ctx) => {
    ask(req, res, ctx, next).catch((err: unknown) => {
      build.logger.error({ err }, 'forwardAuth failed');
      refuse(res, 500);
    });
  };
};

/** Reads a response body up to `limit` bytes (negative: no limit); undefined when it is longer. */
async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (limit >= 0 && size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Go's http.Redirect with 302: an HTML body for GET, none otherwise. */
function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  const html = req.method === 'GET' || req.method === 'HEAD';
  const body = req.method === 'GET' ? `<a href="${escapeHtml(location)}">${STATUS_CODES[302]}</a>.\n\n` : '';
  res.writeHead(302, { location, ...(html ? { 'content-type': 'text/html; charset=utf-8' } : {}) });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Client TLS options (a value is a PEM or a file path, as Traefik's FileOrContent). */
function tlsConnectOptions(tls: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly insecureSkipVerify: boolean } | undefined): Record<string, unknown> {
  if (tls === undefined) return {};
  const load = (key: string, value: string | undefined): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (value.includes('-----BEGIN')) return value;
    try {
      return readFileSync(value, 'utf8');
    } catch (err) {
      throw new MiddlewareBuildError(ErrorCodes.FILE_READ, `tls.${key}: cannot read "${value}": ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const cert = load('cert', tls.cert);
  const key = load('key', tls.key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new MiddlewareBuildError(ErrorCodes.MISSING_VALUE, 'tls: "cert" and "key" go together; set both or neither');
  }
  const ca = load('ca', tls.ca);
  return {
    rejectUnauthorized: !tls.insecureSkipVerify,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert, key }),
  };
}
