import { bool, int, list, obj, optional, str, withDefault } from '../../schema/index.js';

/** How a middleware picks the client IP: `depth` from the right of X-Forwarded-For, or the first not excluded. */
export const ipStrategySchema = obj({
  depth: withDefault(int({ min: 0 }), 0),
  excludedIPs: optional(list(str({ nonEmpty: true }))),
  ipv6Subnet: optional(int({ min: 0, max: 128 })),
}, { allowEmpty: true });

/** What a rate or concurrency limit is counted per; exactly one criterion, remote address by default. */
export const sourceCriterionSchema = obj({
  ipStrategy: optional(ipStrategySchema),
  requestHeaderName: optional(str({ nonEmpty: true })),
  requestHost: optional(bool()),
}, {
  check(value, fail) {
    const set = [value.ipStrategy !== undefined, value.requestHeaderName !== undefined, value.requestHost === true].filter(Boolean);
    if (set.length > 1) fail('set only one of "ipStrategy", "requestHeaderName" and "requestHost"');
  },
});

/** Client-side TLS settings for connections Berth opens (forwardAuth, Redis). */
export const clientTlsSchema = obj({
  ca: optional(str()),
  cert: optional(str()),
  key: optional(str()),
  insecureSkipVerify: withDefault(bool(), false),
  caOptional: optional(bool()),
});
