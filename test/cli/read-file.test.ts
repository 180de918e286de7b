import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTextFile } from '../../src/cli/read-file.js';
import { loadStaticConfig } from '../../src/config/static/load.js';

test('readTextFile reads files and answers undefined for what is not a readable file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-read-'));
  try {
    writeFileSync(join(dir, 'berth.yml'), 'log:\n  level: DEBUG\n');
    assert.equal(readTextFile(join(dir, 'berth.yml')), 'log:\n  level: DEBUG\n');
    assert.equal(readTextFile(join(dir, 'missing.yml')), undefined);
    assert.equal(readTextFile(dir), undefined);
    assert.equal(readTextFile(join(dir, 'berth.yml', 'below')), undefined);
    // End to end with the real file system: ./berth.yml in the working directory is found.
    const result = loadStaticConfig({ argv: [], env: {}, cwd: dir, readFile: readTextFile });
    assert.ok(result.ok);
    assert.equal(result.config.log.level, 'DEBUG');
    assert.equal(result.source.file, 'berth.yml');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
