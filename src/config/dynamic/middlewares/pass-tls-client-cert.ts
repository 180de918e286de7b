import { bool, obj, optional, withDefault, type Infer } from '../../schema/index.js';

const flag = () => withDefault(bool(), false);
const distinguishedName = obj({
  country: flag(), province: flag(), locality: flag(), organization: flag(), organizationalUnit: flag(),
  commonName: flag(), serialNumber: flag(), domainComponent: flag(),
}, { allowEmpty: true });

/** passTLSClientCert: passes the client certificate (PEM and/or selected fields) to the backend in headers. */
export const passTlsClientCertSchema = obj({
  pem: flag(),
  info: optional(obj({
    notAfter: flag(),
    notBefore: flag(),
    sans: flag(),
    serialNumber: flag(),
    subject: optional(distinguishedName),
    issuer: optional(distinguishedName),
  }, { allowEmpty: true })),
});
export type PassTlsClientCertOptions = Infer<typeof passTlsClientCertSchema>;
