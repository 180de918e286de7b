import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import { compileTlsOptions, negotiateAlpn, supportsGroup, type CompiledTlsOptions } from '../../src/tls/tls-options.js';

const base = { minVersion: 'VersionTLS12', sniStrict: false, alpnProtocols: ['h2', 'http/1.1', 'acme-tls/1'], disableSessionTickets: false } as const;
const noFiles = async (path: string): Promise<string> => { throw new Error(`ENOENT ${path}`); };

test('Go names become OpenSSL names; TLS 1.3 suites are accepted and left to their defaults', async () => {
  const { options, issues } = await compileTlsOptions('modern@file', {
    ...base,
    maxVersion: 'VersionTLS13',
    cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'tls_ecdhe_ecdsa_with_chacha20_poly1305', 'TLS_AES_128_GCM_SHA256'],
    curvePreferences: ['CurveP256', 'X25519', 'secp384r1'],
    disableSessionTickets: true,
  }, noFiles);
  assert.deepEqual(issues, []);
  const compiled = options as CompiledTlsOptions;
  assert.equal(compiled.context.minVersion, 'TLSv1.2');
  assert.equal(compiled.context.maxVersion, 'TLSv1.3');
  assert.equal(compiled.context.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305');
  assert.equal(compiled.context.ecdhCurve, 'prime256v1:X25519:secp384r1');
  assert.equal(compiled.context.secureOptions, constants.SSL_OP_NO_TICKET);
  assert.equal(compiled.requestCert, false);
});

test('unknown suites and curves are issues and make the options unusable', async () => {
  const { options, issues } = await compileTlsOptions('bad', { ...base, cipherSuites: ['TLS_RSA_WITH_NOTHING'], curvePreferences: ['CurveP999'], maxVersion: 'VersionTLS11' }, noFiles);
  assert.ok('broken' in options);
  assert.deepEqual(issues.map((i) => i.where), ['tls.options.bad.maxVersion', 'tls.options.bad.cipherSuites[0]', 'tls.options.bad.curvePreferences[0]']);
  assert.match(issues[1]?.message ?? '', /unknown cipher suite "TLS_RSA_WITH_NOTHING"/);
});

test('X25519MLKEM768 is used where OpenSSL has it, an issue elsewhere', async () => {
  const { options, issues } = await compileTlsOptions('pq', { ...base, curvePreferences: ['X25519MLKEM768', 'X25519'] }, noFiles);
  if (supportsGroup('X25519MLKEM768')) {
    assert.deepEqual(issues, []);
    assert.equal((options as CompiledTlsOptions).context.ecdhCurve, 'X25519MLKEM768:X25519');
  } else {
    assert.match(issues[0]?.message ?? '', /needs a newer OpenSSL/);
  }
});

test('client authentication modes map onto requestCert/rejectUnauthorized; caFiles are read or inline', async () => {
  const cases = [
    ['NoClientCert', false, false], ['RequestClientCert', true, false], ['RequireAnyClientCert', true, false],
    ['VerifyClientCertIfGiven', true, false], ['RequireAndVerifyClientCert', true, true],
  ] as const;
  for (const [clientAuthType, requestCert, rejectUnauthorized] of cases) {
    const { options } = await compileTlsOptions('m', { ...base, clientAuth: { clientAuthType } }, noFiles);
    assert.equal((options as CompiledTlsOptions).requestCert, requestCert, clientAuthType);
    assert.equal((options as CompiledTlsOptions).rejectUnauthorized, rejectUnauthorized, clientAuthType);
  }
  const { issues } = await compileTlsOptions('m', { ...base, clientAuth: { clientAuthType: 'RequireAndVerifyClientCert', caFiles: ['/missing/ca.pem'] } }, noFiles);
  assert.match(issues[0]?.message ?? '', /cannot read "\/missing\/ca.pem"/);
});

test('a legacy minVersion lowers OpenSSL\'s security level so TLS 1.0 really works', async () => {
  const { options } = await compileTlsOptions('old', { ...base, minVersion: 'VersionTLS10' }, noFiles);
  assert.match(String((options as CompiledTlsOptions).context.ciphers), /@SECLEVEL=0$/);
});

test('ALPN negotiation follows Go: server order, http/1.1 fallback for h2 servers, never acme-tls/1', () => {
  assert.equal(negotiateAlpn(['h2', 'http/1.1'], ['http/1.1', 'h2']), 'h2');
  assert.equal(negotiateAlpn(['h2'], ['http/1.1']), 'http/1.1');
  assert.equal(negotiateAlpn(['h2', 'http/1.1'], ['spdy/3']), undefined);
  assert.equal(negotiateAlpn(['acme-tls/1', 'h2'], ['acme-tls/1']), undefined);
});
