import type { IncomingMessage } from 'node:http';
import { requestHost } from '../runtime/rules/request-target.js';

/**
 * Traefik's snicheck (pkg/server/router/tcp/snicheck.go): a TLS request whose Host differs from the connection's
 * SNI and maps to other `tls.options` than the SNI did is misdirected (RFC 9110 §15.5.20, 421). Without it a
 * client could complete the handshake under lax options (no client certificate) and then ask for a host whose
 * options are strict. Hosts equal to the SNI, the common case, cost one string comparison.
 */
export function misdirectedRequest(req: Pick<IncomingMessage, 'headers' | 'url'>, serverName: string, tls: { optionsFor(serverName: string | undefined): string }): boolean {
  const header = req.headers.host ?? (req.headers[':authority'] as string | undefined);
  if (header === serverName) return false;
  const host = requestHost(req.url ?? '/', header);
  if (host === serverName) return false;
  return tls.optionsFor(host === '' ? undefined : host) !== tls.optionsFor(serverName === '' ? undefined : serverName);
}
