import { bool, duration, int, list, obj, oneOf, optional, str, withDefault, type Infer } from '../schema/index.js';

export const certificateFilesSchema = obj({ certFile: str({ nonEmpty: true }), keyFile: str({ nonEmpty: true }) });

export const tlsVersion = oneOf(['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13']);
export type TlsVersion = Infer<typeof tlsVersion>;

const spiffeSchema = obj({ ids: optional(list(str({ nonEmpty: true }))), trustDomain: optional(str()) });

export const forwardingTimeoutsSchema = obj({
  dialTimeout: withDefault(duration({ min: 0 }), 30_000),
  responseHeaderTimeout: withDefault(duration({ min: 0 }), 0),
  idleConnTimeout: withDefault(duration({ min: 0 }), 90_000),
  readIdleTimeout: withDefault(duration({ min: 0 }), 0),
  pingTimeout: withDefault(duration({ min: 0 }), 15_000),
});
export type ForwardingTimeouts = Infer<typeof forwardingTimeoutsSchema>;

/**
 * How Berth connects to the servers of an HTTP service. `maxIdleConnsPerHost` defaults to 200 here, as for the
 * static `serversTransport`, rather than Go's 2, whose connection churn Traefik users report as TIME_WAIT storms.
 */
export const httpServersTransportSchema = obj({
  serverName: optional(str()),
  insecureSkipVerify: withDefault(bool(), false),
  rootCAs: optional(list(str({ nonEmpty: true }))),
  certificates: optional(list(certificateFilesSchema)),
  cipherSuites: optional(list(str({ nonEmpty: true }))),
  minVersion: optional(tlsVersion),
  maxVersion: optional(tlsVersion),
  maxIdleConnsPerHost: withDefault(int(), 200),
  disableHTTP2: withDefault(bool(), false),
  peerCertURI: optional(str(), { deprecated: 'use "peerCertSANs"' }),
  peerCertSANs: optional(list(obj({ type: oneOf(['URI', 'DNSName']), value: str({ nonEmpty: true }) }))),
  spiffe: optional(spiffeSchema),
  forwardingTimeouts: withDefault(forwardingTimeoutsSchema, {
    dialTimeout: 30_000, responseHeaderTimeout: 0, idleConnTimeout: 90_000, readIdleTimeout: 0, pingTimeout: 15_000,
  }),
});
export type HttpServersTransportConfig = Infer<typeof httpServersTransportSchema>;

export const tcpServersTransportSchema = obj({
  dialTimeout: withDefault(duration({ min: 0 }), 30_000),
  dialKeepAlive: withDefault(duration(), 15_000),
  terminationDelay: withDefault(duration(), 100),
  proxyProtocol: optional(obj({ version: withDefault(int({ min: 1, max: 2 }), 2) }, { allowEmpty: true })),
  tls: optional(obj({
    serverName: optional(str()),
    insecureSkipVerify: withDefault(bool(), false),
    rootCAs: optional(list(str({ nonEmpty: true }))),
    certificates: optional(list(certificateFilesSchema)),
    peerCertURI: optional(str()),
    peerCertSANs: optional(list(obj({ type: oneOf(['URI', 'DNSName']), value: str({ nonEmpty: true }) }))),
    spiffe: optional(spiffeSchema),
  }, { allowEmpty: true })),
});
export type TcpServersTransportConfig = Infer<typeof tcpServersTransportSchema>;
