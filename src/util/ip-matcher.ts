import { BlockList, isIP } from 'node:net';

/** Matches IP addresses against a list of IPs and CIDRs (v4 and v6), built once. */
export interface IpMatcher {
  matches(ip: string): boolean;
}

/**
 * Builds a matcher; returns the entries that are not valid IPs or CIDRs instead when there are any. IPv4-mapped
 * IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack socket reports for IPv4 clients) match IPv4 ranges.
 */
export function createIpMatcher(entries: readonly string[]): IpMatcher | { invalid: string[] } {
  const list = new BlockList();
  const invalid: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const family = isIP(address);
    const prefix = slash === -1 ? (family === 6 ? 128 : 32) : Number(entry.slice(slash + 1));
    const maxPrefix = family === 6 ? 128 : 32;
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix || (slash !== -1 && entry.slice(slash + 1) === '')) {
      invalid.push(raw);
      continue;
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  if (invalid.length > 0) return { invalid };
  return {
    matches(ip) {
      const plain = unmapIPv4(ip);
      const family = isIP(plain);
      if (family === 0) return false;
      return list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged. */
export function unmapIPv4(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}
