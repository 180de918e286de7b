import { isIP, isIPv6 } from 'node:net';

/** An entryPoint address split into its parts. `host` is empty for "every interface"; IPv6 comes without brackets. */
export interface EntryPointAddress {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
}

const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Parses `[host]:port[/tcp|/udp]` as Traefik does (`EntryPoint.GetAddress`/`GetProtocol`: the protocol is the part
 * after the first `/`, case-insensitive, TCP when absent; the rest follows Go's `net.SplitHostPort`, so IPv6 hosts
 * need brackets). Port 0 is accepted: the system picks a free port, which tests rely on.
 */
export function parseEntryPointAddress(address: string): EntryPointAddress | { readonly error: string } {
  const slash = address.indexOf('/');
  const hostPort = slash === -1 ? address : address.slice(0, slash);
  const protocol = slash === -1 ? 'tcp' : address.slice(slash + 1).toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return { error: `invalid protocol "${address.slice(slash + 1)}" in "${address}": use "/tcp" or "/udp" (TCP when omitted)` };
  }
  let host: string;
  let port: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close === -1 || hostPort[close + 1] !== ':') return { error: `"${address}" is not an address: expected "[ipv6]:port"` };
    host = hostPort.slice(1, close);
    port = hostPort.slice(close + 2);
    if (!isIPv6(host)) return { error: `"${host}" in "${address}" is not an IPv6 address` };
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon === -1) return { error: `"${address}" has no port: write "[host]:port", for example ":80" or "127.0.0.1:8080"` };
    host = hostPort.slice(0, colon);
    port = hostPort.slice(colon + 1);
    if (host.includes(':')) return { error: `"${address}": an IPv6 host needs brackets, as in "[::1]:80"` };
    if (host !== '' && isIP(host) === 0 && !HOSTNAME.test(host)) return { error: `"${host}" in "${address}" is neither an IP address nor a host name` };
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    return { error: `"${port}" in "${address}" is not a port number (0-65535)` };
  }
  return { host, port: Number(port), protocol };
}

/** Validation message for an entryPoint address, or undefined when it is well formed. */
export function checkEntryPointAddress(address: string): string | undefined {
  const parsed = parseEntryPointAddress(address);
  return 'error' in parsed ? parsed.error : undefined;
}

/** Validation message for `host:port` (no protocol suffix), as used by `demo.whoami.address`. */
export function checkHostPort(address: string): string | undefined {
  if (address.includes('/')) return `"${address}" must be "host:port", without a protocol`;
  return checkEntryPointAddress(address);
}

/** Validation message for an IP address or CIDR range (`trustedIPs`), or undefined when it is one. */
export function checkIpOrCidr(value: string): string | undefined {
  const text = value.trim();
  // Node's isIP accepts a zone (`fe80::1%eth0`); Go's net.ParseIP, and so Traefik and Berth's matcher, do not.
  if (text.includes('%')) return `"${value}" is not an IP address or a CIDR range: remove the zone ("%...")`;
  if (isIP(text) !== 0) return undefined;
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const ip = text.slice(0, slash);
    const bits = text.slice(slash + 1);
    const family = isIP(ip);
    if (family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) return undefined;
  }
  return `"${value}" is not an IP address or a CIDR range (such as "10.0.0.0/8" or "fd00::/8")`;
}
