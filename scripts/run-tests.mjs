#!/usr/bin/env node
// Runs the compiled test files with node:test. Usage: node scripts/run-tests.mjs [path-substring ...]
// Unit and integration files run in parallel; files under test/e2e share one Docker engine and one Pebble
// and run one at a time after them. Node 20's `--test` takes no globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/test/', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (/\.test\.m?js$/.test(name)) out.push(path);
  }
  return out;
}

// The benchmark's own harness tests (parsing, targets, report tables) are plain .mjs beside it, not compiled.
const benchTests = new URL('../bench/test/', import.meta.url).pathname;
const files = [...collect(root), ...collect(benchTests)]
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const isSerial = (file) => relative(root, file).split(sep)[0] === 'e2e';
const groups = [
  { files: files.filter((f) => !isSerial(f)), concurrency: 2 },
  { files: files.filter(isSerial), concurrency: 1 },
];

let failed = false;
for (const group of groups) {
  if (group.files.length === 0) continue;
  const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${group.concurrency}`, '--enable-source-maps', ...group.files], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
