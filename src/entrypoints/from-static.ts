import { parseEntryPointAddress } from '../config/static/address.js';
import type { EntryPointConfig } from '../config/static/schema.js';
import { ErrorCodes } from '../errors/codes.js';
import { BerthError } from '../errors/berth-error.js';
import type { HttpEntryPointOptions } from './http-entrypoint.js';

/** The listener options of one TCP entrypoint, from its validated static configuration. */
export function httpEntryPointOptions(name: string, config: EntryPointConfig): HttpEntryPointOptions {
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
  };
}
