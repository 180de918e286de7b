import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly caPem: string;
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  cleanup(): void;
}

/**
 * A throw-away CA, a server certificate for localhost / 127.0.0.1 (with a URI SAN for peerCertSANs tests)
 * and a client certificate, made with the openssl CLI in a temporary directory. EC keys keep it fast.
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'berth-pki-'));
  const path = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const key = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', path(name));
  key('ca.key');
  openssl('req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=berth-test-ca');
  const issue = (name: string, cn: string, ext: string): void => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(path(`${name}.ext`), ext);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  };
  issue('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1,URI:spiffe://berth.test/backend\n');
  issue('client', 'berth-client', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    caFile: path('ca.pem'),
    serverCert: readFileSync(path('server.pem'), 'utf8'),
    serverKey: readFileSync(path('server.key'), 'utf8'),
    clientCertFile: path('client.pem'),
    clientKeyFile: path('client.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
