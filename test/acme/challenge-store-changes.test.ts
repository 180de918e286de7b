import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpChallengeStore, type HttpChallengeChange } from '../../src/acme/challenges/http-01.js';
import { TlsAlpnChallengeStore, type TlsAlpnChallengeChange } from '../../src/acme/challenges/tls-alpn-01.js';

test('HTTP-01 store: set and delete are announced as plain data; deleting an unknown token is silent', () => {
  const store = new HttpChallengeStore();
  const seen: HttpChallengeChange[] = [];
  const stop = store.onChange((change) => seen.push(change));
  store.set({ domain: 'A.Test', token: 't1', keyAuthorization: 'k1' });
  store.delete('t1');
  store.delete('t1');
  stop();
  store.set({ domain: 'b.test', token: 't2', keyAuthorization: 'k2' });
  assert.deepEqual(seen, [
    { op: 'set', challenge: { domain: 'a.test', token: 't1', keyAuthorization: 'k1' } },
    { op: 'delete', token: 't1' },
  ]);
  // A mirror fed with those changes answers as the original did.
  const mirror = new HttpChallengeStore();
  for (const change of seen.slice(0, 1)) if (change.op === 'set') mirror.set(change.challenge);
  assert.equal(mirror.get('t1', 'a.test'), 'k1');
});

test('TLS-ALPN-01 store: changes carry PEM text and the normalized name', () => {
  const store = new TlsAlpnChallengeStore();
  const seen: TlsAlpnChallengeChange[] = [];
  store.onChange((change) => seen.push(change));
  store.set({ domain: 'X.test.', certPem: 'CERT', keyPem: 'KEY' });
  store.delete('x.test');
  store.delete('x.test');
  assert.deepEqual(seen, [
    { op: 'set', challenge: { domain: 'x.test', certPem: 'CERT', keyPem: 'KEY' } },
    { op: 'delete', domain: 'x.test' },
  ]);
});
