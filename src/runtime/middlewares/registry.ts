import type { MiddlewareKind } from '../../config/dynamic/middlewares/index.js';
import { addPrefix } from './add-prefix.js';
import { basicAuth } from './basic-auth.js';
import { buffering } from './buffering.js';
import { chain } from './chain.js';
import { circuitBreaker } from './circuit-breaker.js';
import { compress } from './compress.js';
import { contentType } from './content-type.js';
import { digestAuth } from './digest-auth.js';
import { encodedCharacters } from './encoded-characters.js';
import { errors } from './errors.js';
import { forwardAuth } from './forward-auth.js';
import { grpcWeb } from './grpc-web.js';
import { headers } from './headers.js';
import { inFlightReq } from './in-flight-req.js';
import { ipAllowList, ipWhiteList } from './ip-allow-list.js';
import type { MiddlewareFactory } from './middleware.js';
import { passTLSClientCert } from './pass-tls-client-cert.js';
import { plugin } from './plugin.js';
import { rateLimit } from './rate-limit.js';
import { redirectRegex } from './redirect-regex.js';
import { redirectScheme } from './redirect-scheme.js';
import { replacePath } from './replace-path.js';
import { replacePathRegex } from './replace-path-regex.js';
import { retry } from './retry.js';
import { stripPrefix } from './strip-prefix.js';
import { stripPrefixRegex } from './strip-prefix-regex.js';

/** One factory per middleware kind; a kind without a factory is a compile error (convention 6). */
export type MiddlewareRegistry = { readonly [K in MiddlewareKind]: MiddlewareFactory<K> };

/** The factories of every HTTP middleware kind. Imported explicitly: nothing registers itself. */
export const middlewareRegistry = {
  addPrefix,
  basicAuth,
  buffering,
  chain,
  circuitBreaker,
  compress,
  contentType,
  digestAuth,
  encodedCharacters,
  errors,
  forwardAuth,
  grpcWeb,
  headers,
  inFlightReq,
  ipAllowList,
  ipWhiteList,
  passTLSClientCert,
  plugin,
  rateLimit,
  redirectRegex,
  redirectScheme,
  replacePath,
  replacePathRegex,
  retry,
  stripPrefix,
  stripPrefixRegex,
} satisfies MiddlewareRegistry;
