import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requiredHosts } from '../../../src/runtime/mux/host-index.js';
import { parsed } from '../rules/rule-helpers.js';

function describe(rule: string): string {
  const hosts = requiredHosts(parsed(rule));
  if (hosts === undefined) return 'any';
  return [...hosts.exact, ...hosts.wildcardParents.map((parent) => `*.${parent}`)].join(' ');
}

test('requiredHosts: which hosts a rule can only match on', () => {
  const table: ReadonlyArray<readonly [rule: string, hosts: string]> = [
    ['Host(`a.test`)', 'a.test'],
    ['Host(`A.Test.`)', 'a.test'],
    ['Host(`*.a.test`)', '*.a.test'],
    ['Host(`*`)', 'any'],
    ['Host(`*a.test`)', ''],
    ['!Host(`a.test`)', 'any'],
    ['HostRegexp(`^a\\.test$`)', 'any'],
    ['PathPrefix(`/`)', 'any'],
    ['Host(`a.test`) && PathPrefix(`/x`)', 'a.test'],
    ['PathPrefix(`/x`) && Host(`a.test`)', 'a.test'],
    ['Host(`a.test`) && (Host(`b.test`) || Host(`c.test`))', 'a.test'],
    ['(Host(`b.test`) || Host(`c.test`)) && Host(`a.test`)', 'a.test'],
    ['Host(`a.test`) || Host(`*.b.test`)', 'a.test *.b.test'],
    ['Host(`a.test`) || PathPrefix(`/x`)', 'any'],
    ['Host(`a.test`) || Host(`*`)', 'any'],
    ['(Host(`a.test`) && Path(`/a`)) || (Host(`b.test`) && Path(`/b`))', 'a.test b.test'],
    ['!(Host(`a.test`) || Host(`b.test`))', 'any'],
    ['!(!Host(`a.test`) || Path(`/x`))', 'a.test'],
    ['!(Host(`a.test`) && Path(`/x`))', 'any'],
  ];
  for (const [rule, hosts] of table) assert.equal(describe(rule), hosts, rule);
});
