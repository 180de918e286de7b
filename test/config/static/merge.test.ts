import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPath } from '../../../src/config/schema/index.js';
import { mergeLayers, type ConfigLayer } from '../../../src/config/static/merge.js';

const layer = (name: string, tree: Record<string, unknown>): ConfigLayer => ({ tree, where: (path) => `${name}: ${formatPath(path)}` });
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('sections merge case-insensitively, keeping the first spelling; other values replace', () => {
  const merged = mergeLayers([
    layer('file', { entryPoints: { web: { address: ':80', asDefault: true }, api: { address: ':8080' } }, ping: { entryPoint: 'web' } }),
    layer('env', { entrypoints: { WEB: { address: ':81' } }, ping: 'false' }),
    layer('flags', { ENTRYPOINTS: { api: 'true', metrics: { address: ':9100' } } }),
  ]);
  assert.deepEqual(plain(merged.tree), {
    entryPoints: { web: { address: ':81', asDefault: true }, api: { address: ':8080' }, metrics: { address: ':9100' } },
    ping: 'false',
  });
});

test('every path is attributed to the layer that supplied it', () => {
  const merged = mergeLayers([
    layer('file', { a: { b: { c: 1, d: 2 }, list: [1, 2] }, gone: { x: { y: 1 } } }),
    layer('env', { A: { b: { c: 3 }, list: 'x,y' }, gone: { x: 'flat' } }),
    layer('flags', { a: { b: { e: 4 } }, gone: { x: { z: 5 } } }),
  ]);
  const cases: Array<[Array<string | number>, string]> = [
    [['a', 'b', 'c'], 'env: a.b.c'],
    [['a', 'b', 'd'], 'file: a.b.d'],
    [['a', 'b', 'e'], 'flags: a.b.e'],
    [['a', 'list', 1], 'env: a.list[1]'],
    // A key missing inside a merged section: the strongest layer holding that section.
    [['a', 'b', 'missing'], 'flags: a.b.missing'],
    // env replaced gone.x; flags replaced it again: nothing of the file's gone.x.y survives.
    [['gone', 'x', 'y'], 'flags: gone.x.y'],
    [['gone', 'x', 'z'], 'flags: gone.x.z'],
  ];
  for (const [path, want] of cases) assert.equal(merged.where(path), want, formatPath(path));
});

test('"true" over a section keeps the section; a section over a scalar replaces it', () => {
  const merged = mergeLayers([
    layer('file', { api: { dashboard: false }, ping: true }),
    layer('flags', { api: 'true', ping: { entryPoint: 'web' } }),
  ]);
  assert.deepEqual(plain(merged.tree), { api: { dashboard: false }, ping: { entryPoint: 'web' } });
  assert.equal(merged.where(['api', 'dashboard']), 'file: api.dashboard');
  assert.equal(merged.where(['ping', 'entryPoint']), 'flags: ping.entryPoint');
});

test('merged sections have no prototype and do not alias the layers', () => {
  const file = { section: { key: 'a' } };
  const merged = mergeLayers([layer('file', file), layer('flags', { section: { other: 'b' }, ['__proto__']: { polluted: 'yes' } })]);
  (merged.tree['section'] as Record<string, unknown>)['key'] = 'changed';
  assert.equal(file.section.key, 'a');
  assert.equal(Object.getPrototypeOf(merged.tree), null);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});
