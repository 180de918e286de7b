import { always, bool, duration, int, list, obj, optional, str, withDefault, type Infer } from '../schema/index.js';
import { unsupported } from './unsupported.js';

const spiffeAdvice = 'SPIFFE is not implemented';

/**
 * `serversTransport`: the `default@internal` transport, used by services that name no transport (reference §1.6).
 * `maxIdleConnsPerHost` is 200 as in Traefik. Durations are in milliseconds.
 */
export const staticServersTransportSchema = obj({
  insecureSkipVerify: withDefault(bool(), false),
  rootCAs: withDefault(list(str({ nonEmpty: true })), []),
  maxIdleConnsPerHost: withDefault(int({ min: 0 }), 200),
  forwardingTimeouts: always(obj({
    dialTimeout: withDefault(duration({ min: 0 }), 30_000),
    responseHeaderTimeout: withDefault(duration({ min: 0 }), 0),
    idleConnTimeout: withDefault(duration({ min: 0 }), 90_000),
  })),
  spiffe: unsupported(spiffeAdvice),
});
export type StaticServersTransportSettings = Infer<typeof staticServersTransportSchema>;

/**
 * `tcpServersTransport`: the default transport of TCP services. A negative `dialKeepAlive` disables keep-alive
 * probes and a negative `terminationDelay` never closes the read side, as in Traefik.
 */
export const staticTcpServersTransportSchema = obj({
  dialTimeout: withDefault(duration({ min: 0 }), 30_000),
  dialKeepAlive: withDefault(duration(), 15_000),
  terminationDelay: withDefault(duration(), 100),
  tls: optional(obj({
    insecureSkipVerify: withDefault(bool(), false),
    rootCAs: withDefault(list(str({ nonEmpty: true })), []),
    spiffe: unsupported(spiffeAdvice),
  }, { allowEmpty: true })),
});
export type StaticTcpServersTransportSettings = Infer<typeof staticTcpServersTransportSchema>;
