import { oneOfKeys, type Infer } from '../../schema/index.js';
import { addPrefixSchema } from './add-prefix.js';
import { basicAuthSchema } from './basic-auth.js';
import { bufferingSchema } from './buffering.js';
import { chainSchema } from './chain.js';
import { circuitBreakerSchema } from './circuit-breaker.js';
import { compressSchema } from './compress.js';
import { contentTypeSchema } from './content-type.js';
import { digestAuthSchema } from './digest-auth.js';
import { encodedCharactersSchema } from './encoded-characters.js';
import { errorsSchema } from './errors.js';
import { forwardAuthSchema } from './forward-auth.js';
import { grpcWebSchema } from './grpc-web.js';
import { headersSchema } from './headers.js';
import { inFlightReqSchema } from './in-flight-req.js';
import { ipAllowListSchema, ipWhiteListSchema } from './ip-allow-list.js';
import { passTlsClientCertSchema } from './pass-tls-client-cert.js';
import { pluginSchema } from './plugin.js';
import { rateLimitSchema } from './rate-limit.js';
import { redirectRegexSchema } from './redirect-regex.js';
import { redirectSchemeSchema } from './redirect-scheme.js';
import { replacePathSchema } from './replace-path.js';
import { replacePathRegexSchema } from './replace-path-regex.js';
import { retrySchema } from './retry.js';
import { stripPrefixSchema } from './strip-prefix.js';
import { stripPrefixRegexSchema } from './strip-prefix-regex.js';

/**
 * Every HTTP middleware kind Traefik v3 defines, by its configuration key. The runtime registry is typed over
 * these keys, so a kind added here without a factory fails to compile (ARCHITECTURE.md, convention 6).
 */
export const middlewareKinds = {
  addPrefix: addPrefixSchema,
  basicAuth: basicAuthSchema,
  buffering: bufferingSchema,
  chain: chainSchema,
  circuitBreaker: circuitBreakerSchema,
  compress: compressSchema,
  contentType: contentTypeSchema,
  digestAuth: digestAuthSchema,
  encodedCharacters: encodedCharactersSchema,
  errors: errorsSchema,
  forwardAuth: forwardAuthSchema,
  grpcWeb: grpcWebSchema,
  headers: headersSchema,
  inFlightReq: inFlightReqSchema,
  ipAllowList: ipAllowListSchema,
  ipWhiteList: ipWhiteListSchema,
  passTLSClientCert: passTlsClientCertSchema,
  plugin: pluginSchema,
  rateLimit: rateLimitSchema,
  redirectRegex: redirectRegexSchema,
  redirectScheme: redirectSchemeSchema,
  replacePath: replacePathSchema,
  replacePathRegex: replacePathRegexSchema,
  retry: retrySchema,
  stripPrefix: stripPrefixSchema,
  stripPrefixRegex: stripPrefixRegexSchema,
} as const;

export type MiddlewareKind = keyof typeof middlewareKinds;
export type MiddlewareOptions<K extends MiddlewareKind> = Infer<(typeof middlewareKinds)[K]>;

export const middlewareSchema = oneOfKeys('middleware', middlewareKinds);
/** One HTTP middleware: exactly one kind key with its options, e.g. `{ stripPrefix: { prefixes: ['/api'] } }`. */
export type MiddlewareConfig = Infer<typeof middlewareSchema>;

/** The kind of a decoded middleware (its single key). */
export function middlewareKindOf(middleware: MiddlewareConfig): MiddlewareKind {
  return Object.keys(middleware)[0] as MiddlewareKind;
}
