// A self-signed certificate for the HTTPS scenario, made once per work directory with openssl.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAIN } from './topology.mjs';

/**
 * Creates (or reuses) an RSA 2048 certificate for *.bench.test and 127.0.0.1. HAProxy wants certificate and
 * key in one file, so `pemFile` holds both.
 * @param {string} workDir
 */
export function ensureCertificate(workDir) {
  const certFile = join(workDir, 'cert.pem');
  const keyFile = join(workDir, 'key.pem');
  const pemFile = join(workDir, 'cert+key.pem');
  if (!existsSync(pemFile)) {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30',
      '-subj', `/CN=h0.${DOMAIN}`, '-addext', `subjectAltName=DNS:*.${DOMAIN},DNS:localhost,IP:127.0.0.1`,
    ], { stdio: 'pipe' });
    writeFileSync(pemFile, readFileSync(certFile, 'utf8') + readFileSync(keyFile, 'utf8'));
  }
  return { certFile, keyFile, pemFile };
}
