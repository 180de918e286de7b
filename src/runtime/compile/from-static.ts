import type { HttpServersTransportConfig } from '../../config/dynamic/model.js';
import { parseEntryPointAddress } from '../../config/static/address.js';
import type { StaticConfig } from '../../config/static/schema.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { CompileEntryPoint } from './compile.js';

/** The TCP entrypoints as compile sees them (UDP entrypoints carry no HTTP routers). */
export function compileEntryPointsFrom(config: StaticConfig): CompileEntryPoint[] {
  const out: CompileEntryPoint[] = [];
  for (const [name, entryPoint] of Object.entries(config.entryPoints)) {
    const address = parseEntryPointAddress(entryPoint.address);
    if ('error' in address || address.protocol !== 'tcp') continue;
    out.push({
      name,
      asDefault: entryPoint.asDefault,
      middlewares: entryPoint.http.middlewares,
      tls: entryPoint.http.tls,
      sanitizePath: entryPoint.http.sanitizePath,
      encodeQuerySemicolons: entryPoint.http.encodeQuerySemicolons,
      encodedCharacters: entryPoint.http.encodedCharacters,
      underscoreHeadersStrategy: entryPoint.http.underscoreHeadersStrategy,
      connectionHeaders: new Set(entryPoint.forwardedHeaders.connection.map((name) => name.toLowerCase())),
      observability: { accessLogs: entryPoint.observability.accessLogs, metrics: entryPoint.observability.metrics },
    });
  }
  return out;
}

/** The static `serversTransport` as the dynamic transport `default@internal`. */
export function defaultTransportFrom(config: StaticConfig): DeepReadonly<HttpServersTransportConfig> {
  const transport = config.serversTransport;
  return {
    insecureSkipVerify: transport.insecureSkipVerify,
    rootCAs: transport.rootCAs,
    maxIdleConnsPerHost: transport.maxIdleConnsPerHost,
    disableHTTP2: false,
    forwardingTimeouts: {
      dialTimeout: transport.forwardingTimeouts.dialTimeout,
      responseHeaderTimeout: transport.forwardingTimeouts.responseHeaderTimeout,
      idleConnTimeout: transport.forwardingTimeouts.idleConnTimeout,
      readIdleTimeout: 0,
      pingTimeout: 15_000,
    },
  };
}
