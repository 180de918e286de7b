import {
  always, bool, duration, int, list, map, obj, oneOf, optional, refine, str, withDefault, type Infer,
} from '../schema/index.js';
import { checkEntryPointAddress, checkIpOrCidr } from './address.js';
import { unsupported } from './unsupported.js';

/**
 * The highest router priority Berth uses. Traefik uses Go's MaxInt (2^63-1), which a JavaScript number cannot
 * hold: 2^63-1 and 2^63-2 would both round to 2^63 and tie. Berth maps MaxInt to the largest safe integer so that
 * the internal routers keep their order (ACME HTTP-01 at MAX_PRIORITY beats redirections at MAX_PRIORITY - 1).
 */
export const MAX_PRIORITY = Number.MAX_SAFE_INTEGER;

/** Traefik's `math.MaxInt - 1`, the default priority of an entryPoint redirection router. */
export const REDIRECTION_PRIORITY = MAX_PRIORITY - 1;

const off = () => withDefault(bool(), false);
const on = () => withDefault(bool(), true);
const ipList = () => withDefault(list(str({ nonEmpty: true, check: checkIpOrCidr })), []);

const domainSchema = obj({
  main: str({ nonEmpty: true }),
  sans: optional(list(str({ nonEmpty: true }))),
});

const redirectionSchema = obj({
  // An entryPoint name, or `:port` to redirect to a port that no entryPoint of this instance owns.
  to: str({ nonEmpty: true }),
  scheme: withDefault(str({ nonEmpty: true }), 'https'),
  permanent: on(),
  // Values past the safe-integer range (users copy Traefik's 9223372036854775806) are clamped, so that they do
  // not round up past the ACME challenge router.
  priority: withDefault(refine(int({ min: 1 }), (value) => Math.min(value, REDIRECTION_PRIORITY)), REDIRECTION_PRIORITY),
});

/**
 * Entry-point level encoded-character policy. Every flag defaults to true (allowed), as in Traefik's static
 * configuration; false makes requests whose path holds that escape fail with 400.
 */
const encodedCharactersSchema = obj({
  allowEncodedSlash: on(),
  allowEncodedBackSlash: on(),
  allowEncodedNullCharacter: on(),
  allowEncodedSemicolon: on(),
  allowEncodedPercent: on(),
  allowEncodedQuestionMark: on(),
  allowEncodedHash: on(),
}, { allowEmpty: true });

/** Defaults that every router attached to the entryPoint inherits (Traefik's "models", reference §6.6). */
const entryPointHttpSchema = obj({
  redirections: optional(obj({ entryPoint: optional(redirectionSchema) })),
  middlewares: withDefault(list(str({ nonEmpty: true })), []),
  tls: optional(obj({
    options: optional(str({ nonEmpty: true })),
    certResolver: optional(str({ nonEmpty: true })),
    domains: optional(list(domainSchema)),
  }, { allowEmpty: true })),
  encodedCharacters: always(encodedCharactersSchema),
  encodeQuerySemicolons: off(),
  sanitizePath: on(),
  maxHeaderBytes: withDefault(int({ min: 1 }), 1_048_576),
  underscoreHeadersStrategy: withDefault(oneOf(['keep', 'delete', 'reject']), 'keep'),
});

const transportSchema = obj({
  respondingTimeouts: always(obj({
    readTimeout: withDefault(duration({ min: 0 }), 60_000),
    writeTimeout: withDefault(duration({ min: 0 }), 0),
    idleTimeout: withDefault(duration({ min: 0 }), 180_000),
  })),
  lifeCycle: always(obj({
    requestAcceptGraceTimeout: withDefault(duration({ min: 0 }), 0),
    graceTimeOut: withDefault(duration({ min: 0 }), 10_000),
  })),
  keepAliveMaxRequests: withDefault(int({ min: 0 }), 0),
  keepAliveMaxTime: withDefault(duration({ min: 0 }), 0),
});

/** `entryPoints.<name>` (reference §1.2). Durations are in milliseconds. */
export const entryPointSchema = obj({
  address: str({ nonEmpty: true, check: checkEntryPointAddress }),
  asDefault: off(),
  allowACMEByPass: off(),
  reusePort: off(),
  forwardedHeaders: always(obj({
    trustedIPs: ipList(),
    insecure: off(),
    connection: withDefault(list(str({ nonEmpty: true })), []),
    notAppendXForwardedFor: off(),
    addXForwardedSchemeHeaders: off(),
  })),
  // Present means the PROXY protocol is accepted; only trusted sources may rewrite the client address.
  proxyProtocol: optional(obj({ trustedIPs: ipList(), insecure: off() }, { allowEmpty: true })),
  transport: always(transportSchema),
  http: always(entryPointHttpSchema),
  http2: always(obj({
    maxConcurrentStreams: withDefault(int({ min: 1 }), 250),
    maxDecoderHeaderTableSize: withDefault(int({ min: 0 }), 4096),
    maxEncoderHeaderTableSize: withDefault(int({ min: 0 }), 4096),
  })),
  http3: unsupported('HTTP/3 is not implemented; the entryPoint serves HTTP/1.1 and HTTP/2'),
  udp: always(obj({ timeout: withDefault(duration({ min: 0 }), 3_000) })),
  observability: always(obj({
    accessLogs: on(),
    metrics: on(),
    tracing: on(),
    traceVerbosity: withDefault(oneOf(['minimal', 'detailed']), 'minimal'),
  })),
});
export type EntryPointSettings = Infer<typeof entryPointSchema>;

/** `entryPoints`: named entryPoints; names are free-form, as in Traefik. */
export const entryPointsSchema = map(entryPointSchema, {
  checkKey: (key) => (key.trim() === '' ? 'an entryPoint name must not be empty' : undefined),
});
