import assert from 'node:assert/strict';
import type { ConfigIssue } from '../../../src/errors/config-issue.js';
import { loadStaticConfig, type StaticConfigResult } from '../../../src/config/static/load.js';
import type { StaticConfig } from '../../../src/config/static/schema.js';

export interface LoadCase {
  readonly argv?: readonly string[];
  readonly env?: Record<string, string | undefined>;
  /** Absolute path -> file text. */
  readonly files?: Record<string, string>;
  readonly cwd?: string;
}

/** Loads with an in-memory file system rooted at /srv (the working directory by default). */
export function load(input: LoadCase = {}): StaticConfigResult {
  const files = input.files ?? {};
  return loadStaticConfig({
    argv: input.argv ?? [],
    env: input.env ?? {},
    cwd: input.cwd ?? '/srv',
    readFile: (path) => (Object.hasOwn(files, path) ? files[path] : undefined),
  });
}

/** Loads and expects success; returns the config and warnings. */
export function loadOk(input: LoadCase = {}): { config: StaticConfig; warnings: ConfigIssue[]; file: string | undefined; embeddedDefault: boolean } {
  const result = load(input);
  if (!result.ok) assert.fail(`expected the configuration to load, got:\n${result.issues.map((i) => `${i.where}: ${i.message}`).join('\n')}`);
  return { config: result.config, warnings: result.warnings, file: result.source.file, embeddedDefault: result.source.embeddedDefault };
}

/** Loads and expects failure; returns the issues. */
export function loadIssues(input: LoadCase = {}): ConfigIssue[] {
  const result = load(input);
  assert.equal(result.ok, false, 'expected the configuration to be rejected');
  return result.ok ? [] : result.issues;
}

/** A readable one-line form of an issue for assertions. */
export function show(issue: ConfigIssue): string {
  return `${issue.severity} ${issue.where}: ${issue.message}`;
}
