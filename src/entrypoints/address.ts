/**
 * An EntryPoint address as Traefik writes it: `[host]:port[/tcp|/udp]`, e.g. `:80`, `127.0.0.1:8080`,
 * `[::1]:443/tcp`, `:53/udp`. An empty host means every interface.
 */
export interface ListenAddress {
  /** Host to bind; undefined for all interfaces. */
  readonly host: string | undefined;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp';
}

export function parseListenAddress(address: string): ListenAddress | string {
  const match = /^(?:\[([^\]]+)\]|([^:/[\]]*)):(\d{1,5})(?:\/(tcp|udp))?$/i.exec(address.trim());
  if (match === null) return `invalid address "${address}": expected [host]:port[/tcp|/udp], for example ":80" or "127.0.0.1:8080"`;
  const port = Number(match[3]);
  if (port > 65535) return `invalid address "${address}": port ${port} is out of range`;
  const host = match[1] ?? match[2];
  return {
    host: host === undefined || host === '' ? undefined : host,
    port,
    protocol: (match[4]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp',
  };
}

/** The address to give a client connecting to a listener bound to `host` (all interfaces → loopback). */
export function dialableHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
