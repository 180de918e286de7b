import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../../src/errors/codes.js';

// Compiled to dist/test/errors/, so the repository root is three levels up.
const ERRORS_DOC = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));
const doc = readFileSync(ERRORS_DOC, 'utf8');
const codes = new Set<string>(Object.values(ErrorCodes));

/** The codes that have a section of their own (`### BERTH_ERR_...`), in order, repeats kept. */
function sections(text: string): string[] {
  return [...text.matchAll(/^### (BERTH_ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1] as string);
}

test('every code in codes.ts has exactly one section in docs/errors.md', () => {
  const documented = sections(doc);
  const missing = [...codes].filter((code) => !documented.includes(code));
  assert.deepEqual(missing, [], `add a "### CODE" section to docs/errors.md for: ${missing.join(', ')}`);
  const repeated = documented.filter((code, i) => documented.indexOf(code) !== i);
  assert.deepEqual(repeated, [], `docs/errors.md has more than one section for: ${repeated.join(', ')}`);
});

test('docs/errors.md mentions no code that codes.ts lacks', () => {
  const mentioned = new Set([...doc.matchAll(/BERTH_ERR_[A-Z0-9_]+/g)].map((m) => m[0]));
  const unknown = [...mentioned].filter((code) => !codes.has(code));
  assert.deepEqual(unknown, [], `docs/errors.md mentions codes that do not exist: ${unknown.join(', ')}`);
});

test('each code is its key with the BERTH_ERR_ prefix, so codes are unique', () => {
  for (const [key, code] of Object.entries(ErrorCodes)) assert.equal(code, `BERTH_ERR_${key}`);
});
