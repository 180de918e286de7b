import type { IncomingMessage } from 'node:http';
import type { HeadersOptions } from '../../config/dynamic/middlewares/headers.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { RequestContext } from '../request-context.js';
import { headerValue, requestHost, requestScheme } from './request-headers.js';

/**
 * The security half of the headers middleware, as Traefik delegates it to unrolled/secure v1.0.9: a host
 * check and a fixed set of response headers, some of which depend on whether the request came over HTTPS.
 */
export interface SecureHeaders {
  /** False when `allowedHosts` is set and the request's host (or a `hostsProxyHeaders` value) is not in it. */
  hostAllowed(req: IncomingMessage): boolean;
  /** The response headers for this request, as [name, value] pairs; empty when none apply. */
  responseHeaders(req: IncomingMessage, ctx: RequestContext): ReadonlyArray<readonly [string, string]>;
}

type Options = DeepReadonly<HeadersOptions>;

/** True when any option handled by unrolled/secure is set (Traefik's HasSecureHeadersDefined). */
export function hasSecureOptions(o: Options): boolean {
  return (o.allowedHosts ?? []).length > 0 || (o.hostsProxyHeaders ?? []).length > 0 || Object.keys(o.sslProxyHeaders ?? {}).length > 0
    || o.stsSeconds !== 0 || o.stsIncludeSubdomains || o.stsPreload || o.forceSTSHeader || o.frameDeny
    || Boolean(o.customFrameOptionsValue) || o.contentTypeNosniff || o.browserXssFilter || Boolean(o.customBrowserXSSValue)
    || Boolean(o.contentSecurityPolicy) || Boolean(o.contentSecurityPolicyReportOnly) || Boolean(o.publicKey)
    || Boolean(o.referrerPolicy) || Boolean(o.permissionsPolicy) || o.isDevelopment;
}

export function createSecureHeaders(o: Options): SecureHeaders {
  const allowedHosts = (o.allowedHosts ?? []).map((host) => host.toLowerCase());
  const hostsProxyHeaders = (o.hostsProxyHeaders ?? []).map((name) => name.toLowerCase());
  const sslProxyHeaders = Object.entries(o.sslProxyHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  const checkHosts = allowedHosts.length > 0 && !o.isDevelopment;

  // Headers that do not depend on the request, in unrolled/secure's order.
  const always: Array<[string, string]> = [];
  if (o.customFrameOptionsValue) always.push(['X-Frame-Options', o.customFrameOptionsValue]);
  else if (o.frameDeny) always.push(['X-Frame-Options', 'DENY']);
  if (o.contentTypeNosniff) always.push(['X-Content-Type-Options', 'nosniff']);
  if (o.customBrowserXSSValue) always.push(['X-XSS-Protection', o.customBrowserXSSValue]);
  else if (o.browserXssFilter) always.push(['X-XSS-Protection', '1; mode=block']);
  const tail: Array<[string, string]> = [];
  if (o.contentSecurityPolicy) tail.push(['Content-Security-Policy', o.contentSecurityPolicy]);
  if (o.contentSecurityPolicyReportOnly) tail.push(['Content-Security-Policy-Report-Only', o.contentSecurityPolicyReportOnly]);
  if (o.referrerPolicy) tail.push(['Referrer-Policy', o.referrerPolicy]);
  if (o.permissionsPolicy) tail.push(['Permissions-Policy', o.permissionsPolicy]);

  // HSTS is only meaningful over HTTPS (RFC 6797 §7.2), unless forced; never in development mode.
  const sts = o.stsSeconds !== 0 && !o.isDevelopment
    ? `max-age=${o.stsSeconds}${o.stsIncludeSubdomains ? '; includeSubDomains' : ''}${o.stsPreload ? '; preload' : ''}`
    : undefined;
  const hpkp = o.publicKey && !o.isDevelopment ? o.publicKey : undefined;
  const plain = [...always, ...tail];
  const withSts = sts === undefined ? plain : [['Strict-Transport-Security', sts] as [string, string], ...plain];
  const secureOnly = [...(sts === undefined ? [] : [['Strict-Transport-Security', sts] as [string, string]]), ...always,
    ...(hpkp === undefined ? [] : [['Public-Key-Pins', hpkp] as [string, string]]), ...tail];

  const isSsl = (req: IncomingMessage, ctx: RequestContext): boolean => {
    if (ctx.tls) return true;
    return sslProxyHeaders.some(([name, value]) => {
      // X-Forwarded-Proto from an untrusted client is what Traefik's entrypoint would have overwritten.
      const actual = name === 'x-forwarded-proto' ? requestScheme(req, ctx) : headerValue(req, name);
      return actual === value;
    });
  };

  return {
    hostAllowed(req) {
      if (!checkHosts) return true;
      let host = requestHost(req);
      for (const name of hostsProxyHeaders) {
        const value = headerValue(req, name);
        if (value) {
          host = value;
          break;
        }
      }
      return allowedHosts.includes(host.toLowerCase());
    },
    responseHeaders(req, ctx) {
      if (isSsl(req, ctx)) return secureOnly;
      return o.forceSTSHeader ? withSts : plain;
    },
  };
}
