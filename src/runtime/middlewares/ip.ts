import { ErrorCodes } from '../../errors/codes.js';
import { compileIpList } from '../rules/ip-match.js';
import { MiddlewareBuildError } from './middleware.js';

/**
 * IP addresses as 16 bytes (IPv4 as IPv4-mapped IPv6, as Go's net.IP does), so one comparison covers both
 * families and a `::ffff:1.2.3.4` remote address matches `1.2.3.0/24`.
 */
export type IpBytes = Uint8Array;

/** Parses an IPv4 or IPv6 address (Go's netip.ParseAddr: no leading zeros in IPv4, zones allowed and ignored). */
export function parseIp(text: string): IpBytes | undefined {
  if (text.includes(':')) return parseIpv6(text.replace(/%.*$/, ''));
  const v4 = parseIpv4(text);
  if (v4 === undefined) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out.push(value);
  }
  return out;
}

function parseIpv6(text: string): IpBytes | undefined {
  let groups: string[];
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = v4;
    // Keep a "::" that directly precedes the IPv4 part (`::ffff:1.2.3.4` keeps `::ffff`, `::1.2.3.4` keeps `::`).
    text = text[lastColon - 1] === ':' ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const expected = tail.length > 0 ? 6 : 8;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): string[] => (part === '' ? [] : part.split(':'));
  if (halves.length === 2) {
    const head = parse(halves[0] as string);
    const rest = parse(halves[1] as string);
    const missing = expected - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<string>(missing).fill('0'), ...rest];
  } else {
    groups = parse(text);
  }
  if (groups.length !== expected) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = parseInt(group, 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  out.set(tail, 12);
  return out;
}

function isV4Mapped(ip: IpBytes): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** Formats an address as Go does: dotted IPv4 for mapped addresses, RFC 5952 for IPv6. */
export function formatIp(ip: IpBytes): string {
  if (isV4Mapped(ip)) return Array.from(ip.subarray(12)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip[2 * i] as number) << 8) | (ip[2 * i + 1] as number));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The first address of the `/bits` IPv6 subnet of `ip` (Traefik's ipv6Subnet); IPv4 and unparsable input unchanged. */
export function ipv6SubnetOf(ip: string, bits: number): string {
  const parsed = ip.includes(':') ? parseIp(ip) : undefined;
  if (parsed === undefined || isV4Mapped(parsed)) return ip;
  return formatIp(mask(parsed, bits));
}

function mask(ip: IpBytes, bits: number): IpBytes {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = (ip[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/**
 * A set of addresses and CIDR ranges (Traefik's ip.Checker), on the one matcher Berth has for them
 * (rules/ip-match.ts, also behind ClientIP and trustedIPs). Entries are validated at build time; `key` names the
 * option in errors (`sourceRange[2]`).
 */
export class IpChecker {
  readonly #lookup: (clientIp: string) => boolean | undefined;

  constructor(entries: readonly string[], key: string) {
    if (entries.length === 0) throw new MiddlewareBuildError(ErrorCodes.MISSING_VALUE, `${key}: no IP address or range given`);
    const list = compileIpList(entries);
    if (!list.ok) {
      const first = list.invalid[0] as string;
      throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}[${entries.indexOf(first)}]: "${first}" is neither an IP address nor a CIDR range (e.g. 192.168.1.0/24, 2001:db8::/32)`);
    }
    this.#lookup = list.lookup;
  }

  /** Undefined when `address` is not an IP address (a zone is allowed and ignored); otherwise whether it is in the set. */
  contains(address: string): boolean | undefined {
    return this.#lookup(address);
  }
}
