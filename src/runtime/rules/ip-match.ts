import { BlockList, isIP } from 'node:net';

export type IpMatcherResult = { ok: true; contains: (clientIp: string) => boolean } | { ok: false; message: string };

/**
 * A set of addresses and CIDR ranges, or the entries that are neither. `lookup` tells a client that is not an IP
 * address at all (undefined) from one outside the set (false), for ipAllowList's Traefik checker.
 */
export type IpListResult =
  | { ok: true; contains: (clientIp: string) => boolean; lookup: (clientIp: string) => boolean | undefined }
  | { ok: false; invalid: string[] };

/**
 * Compiles a ClientIP value (an address or a CIDR range, IPv4 or IPv6) into a test over the connection's remote
 * address, with Go's `net.IP` semantics that Traefik's `ip.Checker` has:
 * - an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, how Node reports IPv4 clients of a dual-stack socket) is the
 *   IPv4 address, on the client side and in the value alike;
 * - an IPv6 range never contains an IPv4 client (Go compares address lengths; Node's BlockList would map the
 *   client into `::ffff:0:0/96`), except a range written in mapped form, which is its IPv4 tail;
 * - a zone (`fe80::1%eth0`) is refused in the value and ignored on the client.
 */
export function compileIpMatcher(value: string): IpMatcherResult {
  const compiled = buildIpList([value], false);
  if (compiled.ok) return compiled;
  return {
    ok: false,
    message: `ClientIP value "${value}" is not an IP address or CIDR range (e.g. 192.168.1.7, 10.0.0.0/8 or 2001:db8::/32)`,
  };
}

/**
 * Compiles a list of addresses and CIDR ranges (`forwardedHeaders.trustedIPs`) with the semantics of
 * {@link compileIpMatcher}, which Traefik's `ip.Checker` gives both. Entries are trimmed (the static schema
 * accepts `10.0.0.0/8, 127.0.0.1` split on commas); every invalid entry is returned so one error names them all.
 */
export function compileIpList(entries: readonly string[]): IpListResult {
  return buildIpList(entries, true);
}

/** Traefik refuses a ClientIP value with spaces (Go's net.ParseIP), so only lists trim. */
function buildIpList(entries: readonly string[], trim: boolean): IpListResult {
  const v4 = new BlockList();
  const v6 = new BlockList();
  const invalid: string[] = [];
  for (const raw of entries) {
    if (!addEntry(trim ? raw.trim() : raw, v4, v6)) invalid.push(raw);
  }
  if (invalid.length > 0) return { ok: false, invalid };
  const lookup = (clientIp: string): boolean | undefined => {
    const zone = clientIp.indexOf('%');
    const ip = zone === -1 ? clientIp : clientIp.slice(0, zone);
    const kind = isIP(ip);
    if (kind === 4) return v4.check(ip, 'ipv4');
    if (kind !== 6) return undefined;
    const tail = mappedIPv4(ip);
    return tail === undefined ? v6.check(ip, 'ipv6') : v4.check(tail, 'ipv4');
  };
  return { ok: true, lookup, contains: (clientIp) => lookup(clientIp) === true };
}

/** Adds one address or range to the list of its family; false when it is neither. */
function addEntry(value: string, v4: BlockList, v6: BlockList): boolean {
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const family = address.includes('%') ? 0 : isIP(address);
  if (family === 0) return false;
  const mapped = family === 6 ? mappedIPv4(address) : undefined;
  if (slash === -1) {
    if (family === 4) v4.addAddress(address, 'ipv4');
    else if (mapped !== undefined) v4.addAddress(mapped, 'ipv4');
    else v6.addAddress(address, 'ipv6');
    return true;
  }
  const bits = value.slice(slash + 1);
  const prefix = /^[0-9]{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix <= (family === 4 ? 32 : 128))) return false;
  if (family === 4) v4.addSubnet(address, prefix, 'ipv4');
  else if (mapped !== undefined) v4.addSubnet(mapped, Math.max(prefix - 96, 0), 'ipv4');
  else v6.addSubnet(address, prefix, 'ipv6');
  return true;
}

const MAPPED = new BlockList();
MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

/** The IPv4 address an IPv4-mapped IPv6 address carries (`::ffff:a.b.c.d` or `::ffff:xxxx:yyyy`), or undefined. */
export function mappedIPv4(ipv6: string): string | undefined {
  if (!MAPPED.check(ipv6, 'ipv6')) return undefined;
  const lastColon = ipv6.lastIndexOf(':');
  const tail = ipv6.slice(lastColon + 1);
  if (tail.includes('.')) return tail;
  // The low 32 bits are the last two groups; an empty group is part of a `::` run of zeros.
  const groups = ipv6.split(':');
  const high = Number.parseInt(groups.at(-2) || '0', 16);
  const low = Number.parseInt(groups.at(-1) || '0', 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** A client address as people read it: `::ffff:1.2.3.4` (a dual-stack socket's IPv4 client) is `1.2.3.4`. */
export function unmapIPv4(ip: string): string {
  return isIP(ip) === 6 ? (mappedIPv4(ip) ?? ip) : ip;
}
