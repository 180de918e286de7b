import { bool, duration, int, list, map, obj, oneOf, optional, str, withDefault, type Infer } from '../schema/index.js';

const challengeDelay = withDefault(duration({ min: 0 }), 0);

const dnsChallengeSchema = obj({
  provider: str({ nonEmpty: true }),
  resolvers: optional(list(str({ nonEmpty: true }))),
  propagation: optional(obj({
    delayBeforeChecks: withDefault(duration({ min: 0 }), 0),
    disableChecks: withDefault(bool(), false),
    disableANSChecks: withDefault(bool(), false),
    requireAllRNS: withDefault(bool(), false),
  }, { allowEmpty: true })),
  delayBeforeCheck: optional(duration({ min: 0 }), { deprecated: 'use "propagation.delayBeforeChecks"' }),
  disablePropagationCheck: optional(bool(), { deprecated: 'use "propagation.disableChecks"' }),
});

/** `certificatesResolvers.<name>.acme` (reference §1.4). Durations in ms; `certificatesDuration` in hours. */
export const acmeResolverSchema = obj({
  email: optional(str()),
  emailAddresses: optional(list(str({ nonEmpty: true }))),
  caServer: withDefault(str({ nonEmpty: true }), 'https://acme-v02.api.letsencrypt.org/directory'),
  storage: withDefault(str({ nonEmpty: true }), 'acme.json'),
  keyType: withDefault(oneOf(['EC256', 'EC384', 'RSA2048', 'RSA4096', 'RSA8192']), 'RSA4096'),
  certificatesDuration: withDefault(int({ min: 1 }), 2160),
  preferredChain: optional(str()),
  profile: optional(str()),
  disableCommonName: withDefault(bool(), false),
  eab: optional(obj({ kid: str({ nonEmpty: true }), hmacEncoded: str({ nonEmpty: true }) })),
  clientTimeout: withDefault(duration({ min: 0 }), 120_000),
  clientResponseHeaderTimeout: withDefault(duration({ min: 0 }), 30_000),
  certificateTimeout: withDefault(duration({ min: 0 }), 30_000),
  caCertificates: optional(list(str({ nonEmpty: true }))),
  caSystemCertPool: withDefault(bool(), false),
  caServerName: optional(str()),
  httpChallenge: optional(obj({ entryPoint: str({ nonEmpty: true }), delay: challengeDelay })),
  tlsChallenge: optional(obj({ delay: challengeDelay }, { allowEmpty: true })),
  dnsChallenge: optional(dnsChallengeSchema),
}, {
  check(value, fail) {
    if (value.httpChallenge === undefined && value.tlsChallenge === undefined && value.dnsChallenge === undefined) {
      fail('configure at least one challenge: "httpChallenge", "tlsChallenge" or "dnsChallenge"');
    }
  },
});
export type AcmeResolverSettings = Infer<typeof acmeResolverSchema>;

export const certificateResolversSchema = map(obj({ acme: acmeResolverSchema }));
export type CertificateResolversSettings = Infer<typeof certificateResolversSchema>;
