import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tlsOptionsByHost } from '../../src/tls/router-options.js';

test('each Host() gets its router\'s options, qualified with the router\'s provider when written without @', () => {
  const { hosts, conflicts } = tlsOptionsByHost([
    { name: 'a@docker', options: 'mtls@file', hosts: ['A.test'] },
    { name: 'b@docker', options: 'strict', hosts: ['b.test', 'c.test.'] },
    { name: 'c@file', options: undefined, hosts: ['d.test'] },
    { name: 'd@file', options: 'default', hosts: ['e.test'] },
  ]);
  assert.deepEqual(Object.fromEntries(hosts), { 'a.test': 'mtls@file', 'b.test': 'strict@docker', 'c.test': 'strict@docker', 'd.test': 'default', 'e.test': 'default' });
  assert.deepEqual(conflicts, []);
});

test('routers that disagree about a host make it use the default options, and the conflict is reported', () => {
  const { hosts, conflicts } = tlsOptionsByHost([
    { name: 'a@file', options: 'mtls', hosts: ['shared.test', 'own.test'] },
    { name: 'b@file', options: undefined, hosts: ['shared.test'] },
    { name: 'c@file', options: 'mtls@file', hosts: ['own.test'] },
  ]);
  assert.equal(hosts.get('shared.test'), 'default');
  assert.equal(hosts.get('own.test'), 'mtls@file', 'the same options written two ways agree');
  assert.deepEqual(conflicts, [{ host: 'shared.test', routers: [{ name: 'a@file', options: 'mtls@file' }, { name: 'b@file', options: 'default' }] }]);
});
