import { bool, list, map, obj, oneOf, optional, str, withDefault, type Infer } from '../schema/index.js';
import { tlsVersion } from './servers-transport.js';

/** A certificate from the file provider or ACME: paths, or inline PEM (Traefik accepts both). */
export const tlsCertificateSchema = obj({
  certFile: str({ nonEmpty: true }),
  keyFile: str({ nonEmpty: true }),
  stores: optional(list(str({ nonEmpty: true }))),
});
export type TlsCertificateConfig = Infer<typeof tlsCertificateSchema>;

export const clientAuthTypes = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

export const tlsOptionsSchema = obj({
  minVersion: withDefault(tlsVersion, 'VersionTLS12'),
  maxVersion: optional(tlsVersion),
  cipherSuites: optional(list(str({ nonEmpty: true }))),
  curvePreferences: optional(list(str({ nonEmpty: true }))),
  clientAuth: optional(obj({
    caFiles: optional(list(str({ nonEmpty: true }))),
    clientAuthType: withDefault(oneOf(clientAuthTypes), 'NoClientCert'),
  })),
  sniStrict: withDefault(bool(), false),
  alpnProtocols: withDefault(list(str({ nonEmpty: true })), ['h2', 'http/1.1', 'acme-tls/1']),
  disableSessionTickets: withDefault(bool(), false),
  preferServerCipherSuites: optional(bool(), { deprecated: 'it has no effect' }),
});
export type TlsOptionsConfig = Infer<typeof tlsOptionsSchema>;

export const tlsStoreSchema = obj({
  defaultCertificate: optional(obj({ certFile: str({ nonEmpty: true }), keyFile: str({ nonEmpty: true }) })),
  defaultGeneratedCert: optional(obj({
    resolver: str({ nonEmpty: true }),
    domain: obj({ main: str({ nonEmpty: true }), sans: optional(list(str({ nonEmpty: true }))) }),
  })),
});
export type TlsStoreConfig = Infer<typeof tlsStoreSchema>;

export const tlsSchema = obj({
  certificates: optional(list(tlsCertificateSchema)),
  options: optional(map(tlsOptionsSchema, { checkKey: (key) => (key.trim() === '' ? 'a name must not be empty' : undefined) })),
  stores: optional(map(tlsStoreSchema)),
});
export type TlsConfig = Infer<typeof tlsSchema>;
