import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigIssue } from '../../../src/errors/config-issue.js';
import { buildDockerConfig } from '../../../src/providers/docker/build.js';
import { addressCases } from '../../fixtures/docker/build-cases/addresses.js';
import type { BuildCase, ExpectedIssue } from '../../fixtures/docker/build-cases/case.js';
import { defaultCases } from '../../fixtures/docker/build-cases/defaults.js';
import { filterCases } from '../../fixtures/docker/build-cases/filters.js';
import { labelCases } from '../../fixtures/docker/build-cases/labels.js';
import { mergeCases } from '../../fixtures/docker/build-cases/merge.js';
import { tcpUdpCases } from '../../fixtures/docker/build-cases/tcp-udp.js';
import { dockerSettings } from '../../fixtures/docker/containers.js';

// The table of reference §2: containers in, dynamic configuration and issues out. Traefik's
// pkg/provider/docker/config_test.go was the oracle for the expected behaviour; where Berth differs on purpose
// (a bad label disables one element, not the container; stable network choice) the case says so.
const tables: Record<string, readonly BuildCase[]> = {
  defaults: defaultCases,
  filters: filterCases,
  'tcp-udp': tcpUdpCases,
  merge: mergeCases,
  addresses: addressCases,
  labels: labelCases,
};

function matches(issue: ConfigIssue, expected: ExpectedIssue): boolean {
  if (issue.code !== expected.code) return false;
  if (expected.severity !== undefined && issue.severity !== expected.severity) return false;
  if (expected.where !== undefined && issue.where !== expected.where) return false;
  if (expected.element === null && issue.element !== undefined) return false;
  if (expected.element !== undefined && expected.element !== null && !(issue.element?.section === expected.element.section && issue.element.name === expected.element.name)) return false;
  return expected.message === undefined || expected.message.test(issue.message);
}

function assertIssues(actual: readonly ConfigIssue[], expected: readonly ExpectedIssue[]): void {
  const unmatched = [...actual];
  for (const want of expected) {
    const index = unmatched.findIndex((issue) => matches(issue, want));
    assert.notEqual(index, -1, `no issue matches ${JSON.stringify({ ...want, message: want.message?.source })}; got ${JSON.stringify(actual, null, 1)}`);
    unmatched.splice(index, 1);
  }
  assert.deepEqual(unmatched, [], 'unexpected issues');
}

let count = 0;
for (const [table, cases] of Object.entries(tables)) {
  for (const row of cases) {
    count++;
    test(`${table}: ${row.name}`, () => {
      const { config, issues } = buildDockerConfig(row.containers, dockerSettings(row.settings), row.env);
      assert.deepEqual(JSON.parse(JSON.stringify(config)), row.config);
      assertIssues(issues, row.issues ?? []);
    });
  }
}

test('the table covers reference §2 with at least 80 cases', () => {
  assert.ok(count >= 80, `only ${count} cases`);
});

test('the builder is deterministic: input order does not change the output', () => {
  const containers = mergeCases.flatMap((row) => row.containers);
  const forward = buildDockerConfig(containers, dockerSettings());
  const backward = buildDockerConfig([...containers].reverse(), dockerSettings());
  assert.equal(JSON.stringify(forward.config), JSON.stringify(backward.config));
  assert.deepEqual(forward.issues, backward.issues);
});
