import { bool, int, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';
import { clientTlsSchema } from './shared.js';

/** forwardAuth: asks `address` whether a request may pass; any 2xx lets it through. */
export const forwardAuthSchema = obj({
  address: str({ nonEmpty: true }),
  tls: optional(clientTlsSchema),
  trustForwardHeader: withDefault(bool(), false),
  authResponseHeaders: optional(list(str({ nonEmpty: true }))),
  authResponseHeadersRegex: optional(str()),
  authRequestHeaders: optional(list(str({ nonEmpty: true }))),
  addAuthCookiesToResponse: optional(list(str({ nonEmpty: true }))),
  headerField: optional(str()),
  forwardBody: withDefault(bool(), false),
  maxBodySize: withDefault(int({ min: -1 }), -1),
  maxResponseBodySize: withDefault(int({ min: -1 }), -1),
  preserveLocationHeader: withDefault(bool(), false),
  preserveRequestMethod: withDefault(bool(), false),
  authSigninURL: optional(str()),
});
export type ForwardAuthOptions = Infer<typeof forwardAuthSchema>;
