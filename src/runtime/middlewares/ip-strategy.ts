import type { IncomingMessage } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { RequestContext } from '../request-context.js';
import { IpChecker, ipv6SubnetOf } from './ip.js';
import { MiddlewareBuildError } from './middleware.js';
import { headerValue } from './request-headers.js';

/** Picks the client IP of a request as configured; '' when the configured depth does not exist. */
export type IpStrategy = (req: IncomingMessage, ctx: RequestContext) => string;

export interface IpStrategyOptions {
  readonly depth: number;
  readonly excludedIPs?: readonly string[];
  readonly ipv6Subnet?: number;
}

/**
 * Traefik's ipStrategy: `depth` counts from the right of X-Forwarded-For (and wins over `excludedIPs`);
 * `excludedIPs` takes the first address from the right that is not excluded; otherwise the remote address.
 * `ipv6Subnet` reduces an IPv6 address to its subnet, so one client cannot rotate through its /64.
 * X-Forwarded-For counts only from trusted clients: Traefik's entrypoint drops it from the others.
 */
export function createIpStrategy(options: DeepReadonly<IpStrategyOptions> | undefined, key: string): IpStrategy {
  const subnet = options?.ipv6Subnet;
  if (subnet !== undefined && (subnet <= 0 || subnet > 128)) {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}.ipv6Subnet: ${subnet} is not a prefix length; use 1 to 128 (64 is usual)`);
  }
  const withSubnet = subnet === undefined ? (ip: string) => ip : (ip: string) => ipv6SubnetOf(ip, subnet);
  const forwarded = (req: IncomingMessage, ctx: RequestContext): string[] =>
    (ctx.trustForwardHeaders ? headerValue(req, 'x-forwarded-for') ?? '' : '').split(',');

  const depth = options?.depth ?? 0;
  if (depth > 0) {
    return (req, ctx) => {
      const list = forwarded(req, ctx);
      if (list.length < depth) return '';
      return withSubnet((list[list.length - depth] as string).trim());
    };
  }
  const excluded = options?.excludedIPs ?? [];
  if (excluded.length > 0) {
    const checker = new IpChecker(excluded, `${key}.excludedIPs`);
    return (req, ctx) => {
      const list = forwarded(req, ctx);
      for (let i = list.length - 1; i >= 0; i--) {
        const ip = (list[i] as string).trim();
        if (ip !== '' && checker.contains(ip) !== true) return ip;
      }
      return '';
    };
  }
  return (_req, ctx) => withSubnet(remoteIp(ctx.clientIp));
}

/** The remote address as Go prints it: an IPv4 client on a dual-stack socket without its `::ffff:` prefix. */
export function remoteIp(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
