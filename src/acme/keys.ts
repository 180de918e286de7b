import { createPrivateKey, generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { AcmeResolverSettings } from '../config/static/certificate-resolvers.js';

const generateKeyPair = promisify(generateKeyPairCallback);

export type KeyType = AcmeResolverSettings['keyType'];

/** A key as acme-client wants it (PKCS#8 PEM) and as Traefik stores an account key (base64 PKCS#1 DER). */
export interface AccountKey {
  readonly pem: string;
  readonly stored: string;
}

/** Traefik registers accounts with an RSA-4096 key whatever `keyType` says (keyType is for certificates). */
export async function generateAccountKey(): Promise<AccountKey> {
  const { privateKey } = await generateKeyPair('rsa', { modulusLength: 4096 });
  return fromKeyObject(privateKey);
}

function fromKeyObject(key: KeyObject): AccountKey {
  const der = key.asymmetricKeyType === 'rsa'
    ? key.export({ type: 'pkcs1', format: 'der' })
    : key.export({ type: 'sec1', format: 'der' });
  return { pem: key.export({ type: 'pkcs8', format: 'pem' }).toString(), stored: der.toString('base64') };
}

/** Reads a stored account key: PKCS#1 (Traefik), SEC1 or PKCS#8 DER. */
export function accountKeyFromStored(stored: string): AccountKey {
  const der = Buffer.from(stored, 'base64');
  for (const type of ['pkcs1', 'sec1', 'pkcs8'] as const) {
    try {
      return fromKeyObject(createPrivateKey({ key: der, format: 'der', type }));
    } catch {
      // try the next encoding
    }
  }
  throw new Error('the stored account PrivateKey is not an RSA or EC key in DER (PKCS#1, SEC1 or PKCS#8)');
}

/** A certificate key of the configured `keyType`, as PKCS#8 PEM. */
export async function generateCertificateKey(keyType: KeyType): Promise<string> {
  const pair = keyType.startsWith('EC')
    ? await generateKeyPair('ec', { namedCurve: keyType === 'EC384' ? 'P-384' : 'P-256' })
    : await generateKeyPair('rsa', { modulusLength: Number(keyType.slice(3)) });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
