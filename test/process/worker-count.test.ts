import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { cpuQuota, workerCount } from '../../src/process/worker-count.js';

const files = (entries: Record<string, string>) => (path: string): string | undefined => entries[path];

test('a number is taken as is; "auto" is one per core without a CPU quota', () => {
  assert.equal(workerCount(3, files({})), 3);
  assert.equal(workerCount(0, files({})), 0);
  assert.equal(workerCount('auto', files({})), availableParallelism());
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), availableParallelism());
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' })), availableParallelism());
});

test('a container CPU quota caps "auto" (rounded up, at least one), cgroup v2 before v1', () => {
  assert.equal(cpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' })), 1.5);
  assert.equal(cpuQuota(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '50000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' })), 0.5);
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu.max': '50000 100000' })), 1);
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu.max': '100000 100000' })), 1);
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu.max': '6400000 100000' })), availableParallelism(), 'never more than the cores it may run on');
  assert.equal(workerCount('auto', files({ '/sys/fs/cgroup/cpu.max': 'garbage' })), availableParallelism());
});
