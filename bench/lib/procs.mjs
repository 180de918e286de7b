// Every process the benchmark starts goes through spawnTracked(), so one cleanup can stop them all by pid:
// at normal exit, on Ctrl-C / SIGTERM and on an uncaught error. Pids are also written to .work/pids.json so a
// run killed with SIGKILL leaves a trail the next run cleans up (only pids whose command line still names
// our work directory, so a recycled pid of someone else's process is never signalled).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** @typedef {{ pid: number, name: string, child: import('node:child_process').ChildProcess, exited: boolean, exitCode: number|null, signal: string|null, stderr: string, stdout: string }} Tracked */

/** @type {Map<number, Tracked>} */
const tracked = new Map();
let pidFile = '';
let marker = '';
const STDIO_KEEP = 64 * 1024;

/**
 * Sets where the pid trail lives and stops what a previous, killed run left behind.
 * @param {string} workDir bench/.work, also the marker a leftover's command line must contain
 */
export function initProcessTrail(workDir) {
  pidFile = join(workDir, 'pids.json');
  marker = workDir;
  let old = [];
  try { old = JSON.parse(readFileSync(pidFile, 'utf8')); } catch { /* no trail: nothing to clean */ }
  for (const pid of old) {
    if (cmdline(pid).includes(marker)) {
      console.error(`stopping pid ${pid} left by an earlier run: ${cmdline(pid).slice(0, 120)}`);
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  writeTrail();
}

function writeTrail() {
  if (pidFile !== '') writeFileSync(pidFile, JSON.stringify([...tracked.keys()]));
}

/** The command line of a process, or '' when it is gone. */
export function cmdline(pid) {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return ''; }
}

/**
 * Starts a process whose stdout and stderr are kept (last 64 KiB) for error messages.
 * @param {string} name short label for messages
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} [options]
 * @returns {Tracked}
 */
export function spawnTracked(name, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  /** @type {Tracked} */
  const entry = { pid: child.pid, name, child, exited: false, exitCode: null, signal: null, stderr: '', stdout: '' };
  child.stdout?.on('data', (d) => { entry.stdout = (entry.stdout + d).slice(-STDIO_KEEP); });
  child.stderr?.on('data', (d) => { entry.stderr = (entry.stderr + d).slice(-STDIO_KEEP); });
  child.on('error', (err) => { entry.stderr += `\n${err.message}`; entry.exited = true; });
  child.on('exit', (code, signal) => {
    entry.exited = true;
    entry.exitCode = code;
    entry.signal = signal;
    tracked.delete(entry.pid);
    writeTrail();
  });
  tracked.set(entry.pid, entry);
  writeTrail();
  return entry;
}

/**
 * Stops one tracked process and every descendant it still has, by pid: SIGTERM, then SIGKILL after `graceMs`.
 * Descendants are collected first because a leader that dies first would orphan its workers.
 */
export async function stopTracked(entry, graceMs = 5_000) {
  if (entry.exited) return;
  const family = [entry.pid, ...descendants(entry.pid)];
  const exited = new Promise((resolve) => entry.child.once('exit', resolve));
  signal(entry.pid, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) signal(entry.pid, 'SIGKILL');
  for (const pid of family.slice(1)) if (alive(pid)) signal(pid, 'SIGKILL');
  if (!done) await Promise.race([exited, sleep(2_000)]);
}

/** Stops everything still tracked (used at exit, on signals and on errors). */
export async function stopAll() {
  await Promise.all([...tracked.values()].map((entry) => stopTracked(entry, 3_000)));
}

function signal(pid, sig) {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Pid -> parent pid for every process, from /proc/<pid>/stat. */
function parentMap() {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may contain spaces and parentheses: fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(rest[1]));
    } catch { /* exited while listing */ }
  }
  return parents;
}

/** Every descendant of `root` (children, their children...), found through the parent links in /proc. */
export function descendants(root) {
  const parents = parentMap();
  const found = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const pid = frontier.pop();
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

/** VmRSS of one process in bytes, or 0 when it is gone. */
export function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch { return 0; }
}

/**
 * PSS (proportional set size) of one process in bytes: its RSS with every shared page divided among the
 * processes sharing it, so summing over forked workers does not count shared pages twice. NaN if unreadable.
 */
export function pssOf(pid) {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch { return Number.NaN; }
}

/**
 * Memory of a process tree: the VmRSS sum, the largest single VmRSS, the PSS sum and how many processes.
 * @param {number} root
 * @param {boolean} [withPss] reading smaps_rollup walks page tables: only when asked
 */
export function treeRss(root, withPss = false) {
  const pids = [root, ...descendants(root)];
  let total = 0;
  let largest = 0;
  let pss = 0;
  for (const pid of pids) {
    const rss = rssOf(pid);
    total += rss;
    largest = Math.max(largest, rss);
    if (withPss) pss += pssOf(pid);
  }
  return { total, largest, pss: withPss ? pss : Number.NaN, processes: pids.length };
}

/**
 * Samples a process tree's memory every `intervalMs` until stopped; keeps the peaks (PSS every 4th sample).
 * @returns {{ stop(): { peakTotal: number, peakLargest: number, peakPss: number, processes: number, samples: number } }}
 */
export function sampleRss(root, intervalMs = 250) {
  let peakTotal = 0;
  let peakLargest = 0;
  let peakPss = 0;
  let processes = 0;
  let samples = 0;
  const take = () => {
    const now = treeRss(root, samples % 4 === 0);
    peakTotal = Math.max(peakTotal, now.total);
    peakLargest = Math.max(peakLargest, now.largest);
    if (Number.isFinite(now.pss)) peakPss = Math.max(peakPss, now.pss);
    processes = Math.max(processes, now.processes);
    samples++;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakTotal, peakLargest, peakPss, processes, samples };
    },
  };
}

/**
 * Installs the handlers that stop every tracked process on Ctrl-C, SIGTERM, an uncaught error or a normal
 * exit (the last one synchronously, by SIGKILL, since no awaiting is possible there).
 */
export function installCleanup() {
  const onSignal = (sig) => {
    console.error(`\n${sig}: stopping benchmark processes...`);
    stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.on('uncaughtException', (err) => {
    console.error(err);
    stopAll().finally(() => process.exit(1));
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    stopAll().finally(() => process.exit(1));
  });
  process.on('exit', () => {
    for (const entry of tracked.values()) {
      for (const pid of [entry.pid, ...descendants(entry.pid)]) signal(pid, 'SIGKILL');
    }
  });
}
