import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StickyConfig } from '../../config/dynamic/http-service.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { Balancer, BalancerCandidate, PickContext } from './load-balancers/index.js';

type CookieConfig = NonNullable<DeepReadonly<StickyConfig>['cookie']>;

/** Traefik's default sticky cookie name: `_` and the first 5 hex digits of SHA-1("_TRAEFIK_BACKEND_" + service). */
export function defaultCookieName(serviceName: string): string {
  return `_${createHash('sha1').update(`_TRAEFIK_BACKEND_${serviceName}`).digest('hex')}`.slice(0, 6);
}

/** Traefik's cookie.sanitizeName: RFC 2616 token characters are kept, anything else becomes `_`. */
export function sanitizeCookieName(name: string): string {
  return name.replace(/[^!#$%&'*+\-.^`|~a-zA-Z0-9]/g, '_');
}

/** The cookie value pinning a server: the first 16 hex digits of SHA-256 of its name (server URL or service). */
export function stickyValue(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 16);
}

/** Go's hash/fnv New64 (FNV-1, not 1a) as Traefik formats it: older Traefik versions wrote these values. */
function fnv1Hex(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
    hash ^= BigInt(byte);
  }
  return hash.toString(16);
}

/** A cookie value Berth recognises, and whether it must be rewritten in the current format. */
export interface StickyEntry<C> {
  readonly candidate: C;
  readonly rewrite: boolean;
}

/** Go's http.Cookie.String() for Traefik's sticky cookie: attribute order and spelling as Go writes them. */
function formatCookie(name: string, value: string, config: CookieConfig): string {
  let out = `${name}=${value}`;
  const path = config.path.replaceAll(';', '');
  if (path !== '') out += `; Path=${path}`;
  const domain = (config.domain ?? '').replace(/^\./, '');
  if (domain !== '') out += `; Domain=${domain}`;
  if (config.maxAge > 0) out += `; Max-Age=${config.maxAge}`;
  else if (config.maxAge < 0) out += '; Max-Age=0';
  if (config.httpOnly) out += '; HttpOnly';
  if (config.secure) out += '; Secure';
  const sameSite = (config.sameSite ?? '').toLowerCase();
  if (sameSite === 'none') out += '; SameSite=None';
  else if (sameSite === 'lax') out += '; SameSite=Lax';
  else if (sameSite === 'strict') out += '; SameSite=Strict';
  return out;
}

/** The value of cookie `name` in a Cookie header, as Go's Request.Cookie finds it (first match, quotes removed). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * Sticky sessions by cookie, as Traefik's loadbalancer.Sticky: the cookie holds a hash of the chosen server (or
 * child service) so the next request goes back to it while it is UP. Older Traefik cookie values (the raw URL,
 * its FNV hash) are still honoured and rewritten. Every Set-Cookie string is formatted once, at build time.
 */
export class StickyCookie<C extends { readonly name: string }> {
  readonly name: string;
  readonly #byValue = new Map<string, StickyEntry<C>>();
  readonly #setCookie = new Map<C, string>();

  constructor(config: CookieConfig, serviceName: string, candidates: readonly C[]) {
    this.name = config.name !== undefined && config.name !== '' ? sanitizeCookieName(config.name) : defaultCookieName(serviceName);
    for (const candidate of candidates) {
      const value = stickyValue(candidate.name);
      this.#byValue.set(value, { candidate, rewrite: false });
      const fnv = fnv1Hex(candidate.name);
      for (const legacy of [candidate.name, fnv, fnv1Hex(fnv)]) {
        if (!this.#byValue.has(legacy)) this.#byValue.set(legacy, { candidate, rewrite: true });
      }
      this.#setCookie.set(candidate, formatCookie(this.name, value, config));
    }
  }

  /** The server the request's cookie pins, if the cookie is present and known. */
  pinned(req: IncomingMessage): StickyEntry<C> | undefined {
    const value = cookieValue(req.headers.cookie, this.name);
    return value === undefined ? undefined : this.#byValue.get(value);
  }

  /** Adds the Set-Cookie that pins `candidate`, next to any other Set-Cookie of the response. */
  pin(res: ServerResponse, candidate: C): void {
    const cookie = this.#setCookie.get(candidate);
    if (cookie !== undefined) res.appendHeader('set-cookie', cookie);
  }
}

/**
 * The candidate for one request, as every Traefik balancer chooses it: the one the sticky cookie pins while it
 * is UP (re-pinned when the cookie is in an old format), else the balancer's pick, pinned for next time.
 * Undefined when nothing is UP (the service answers 503).
 */
export function pickCandidate<C extends BalancerCandidate>(req: IncomingMessage, res: ServerResponse, ctx: PickContext, balancer: Balancer<C>, sticky: StickyCookie<C> | undefined): C | undefined {
  if (sticky !== undefined) {
    const entry = sticky.pinned(req);
    if (entry !== undefined && entry.candidate.state.up) {
      if (entry.rewrite) sticky.pin(res, entry.candidate);
      return entry.candidate;
    }
  }
  const picked = balancer.pick(ctx);
  if (picked !== undefined) sticky?.pin(res, picked);
  return picked;
}
