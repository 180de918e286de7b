import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { StaticConfig } from '../config/static/schema.js';

/** Reads a file's text, or undefined when it cannot be read. */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * How many workers `workers` asks for. "auto" is one per core the process may use: the cores it may run on
 * (os.availableParallelism), capped by a container's CPU quota. A container limited to `cpus: 2` on a 64-core host
 * must not start 64 processes of ~75 MB each; Go proxies only start threads, Berth starts processes.
 */
export function workerCount(setting: StaticConfig['workers'], read: ReadText = readText): number {
  if (setting !== 'auto') return setting;
  const cores = availableParallelism();
  const quota = cpuQuota(read);
  return quota === undefined ? cores : Math.max(1, Math.min(cores, Math.ceil(quota)));
}

/**
 * The CPU quota of this process's cgroup in cores (1.5 for `--cpus=1.5`), or undefined when none is set:
 * cgroup v2's `cpu.max` ("max 100000" or "150000 100000"), else cgroup v1's `cpu.cfs_quota_us` (-1: none) over
 * `cpu.cfs_period_us`.
 */
export function cpuQuota(read: ReadText): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max')?.trim().split(/\s+/);
  if (v2 !== undefined) return ratio(v2[0], v2[1]);
  return ratio(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')?.trim(), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us')?.trim());
}

function ratio(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && q > 0 && Number.isFinite(p) && p > 0 ? q / p : undefined;
}
