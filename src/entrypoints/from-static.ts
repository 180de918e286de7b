import { parseEntryPointAddress } from '../config/static/address.js';
import type { EntryPointConfig } from '../config/static/schema.js';
import { ErrorCodes } from '../errors/codes.js';
import { BerthError } from '../errors/berth-error.js';
import type { HttpEntryPointOptions } from './http-entrypoint.js';
import type { TlsAcceptor } from './https-entrypoint.js';

/**
 * The listener options of one TCP entrypoint, from its validated static configuration. With `tls` (the TLS
 * manager), the entrypoint also terminates TLS on its port, as every Traefik entrypoint can.
 */
export function httpEntryPointOptions(name: string, config: EntryPointConfig, tls?: TlsAcceptor): HttpEntryPointOptions {
  const address = parseEntryPointAddress(config.address);
  if ('error' in address) throw new BerthError(ErrorCodes.STATIC_CONFIG, `entryPoints.${name}.address: ${address.error}`);
  const { respondingTimeouts, lifeCycle } = config.transport;
  return {
    name,
    address,
    forwardedHeaders: { trustedIPs: config.forwardedHeaders.trustedIPs, insecure: config.forwardedHeaders.insecure },
    readTimeout: respondingTimeouts.readTimeout,
    writeTimeout: respondingTimeouts.writeTimeout,
    idleTimeout: respondingTimeouts.idleTimeout,
    requestAcceptGraceTimeout: lifeCycle.requestAcceptGraceTimeout,
    graceTimeOut: lifeCycle.graceTimeOut,
    maxHeaderBytes: config.http.maxHeaderBytes,
    keepAliveMaxRequests: config.transport.keepAliveMaxRequests,
    keepAliveMaxTime: config.transport.keepAliveMaxTime,
    ...(tls === undefined ? {} : { https: { acceptor: tls, http2: config.http2 } }),
  };
}
