import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileProviderSettings } from '../../../src/config/static/providers.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createFileProvider } from '../../../src/providers/file/provider.js';
import type { ProviderMessage } from '../../../src/providers/provider.js';
import { waitFor } from '../../helpers/wait-for.js';

const router = (name: string, host: string): string => `http:\n  routers:\n    ${name}:\n      rule: Host(\`${host}\`)\n      service: app\n`;

/** The rule of each router in a message, e.g. `{ web: 'Host(`a.test`)' }`; undefined without a configuration. */
function rules(message: ProviderMessage | undefined): Record<string, string | undefined> | undefined {
  if (message?.config === undefined) return undefined;
  const entries = Object.entries(message.config.http?.routers ?? {}).map(([name, r]) => [name, r.rule] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'berth-file-'));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function run(t: { after: (fn: () => void) => void }, settings: Partial<FileProviderSettings>, env: Record<string, string> = {}) {
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  t.after(() => controller.abort());
  const provider = createFileProvider({ watch: true, debugLogGeneratedTemplate: false, ...settings }, { logger: silentLogger(), debounceMs: 30, env });
  await provider.start((message) => messages.push(message), controller.signal);
  const latest = (): ProviderMessage | undefined => messages[messages.length - 1];
  /** Waits until the latest publication's routers have exactly these rules (undefined: no configuration). */
  const until = (expected: Record<string, string> | undefined, what = JSON.stringify(expected)) =>
    waitFor(() => JSON.stringify(rules(latest())) === JSON.stringify(expected), 4000, what);
  return { messages, latest, until, controller };
}

test('directory mode: an edit in place is applied', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'app.yml'), router('web', 'a.test'));
  const p = await run(t, { directory: dir });
  assert.deepEqual(rules(p.latest()), { web: 'Host(`a.test`)' });
  assert.deepEqual(p.latest()?.issues, []);
  await writeFile(join(dir, 'app.yml'), router('web', 'b.test'));
  await p.until({ web: 'Host(`b.test`)' });
});

test('directory mode: sub-directories are read and watched; hidden entries and other extensions are skipped', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'one.yaml'), router('one', 'one.test'));
  await writeFile(join(dir, '.hidden.yml'), router('hidden', 'hidden.test'));
  await writeFile(join(dir, 'notes.txt'), 'not configuration');
  await writeFile(join(dir, 'old.toml'), '[http]');
  const p = await run(t, { directory: dir });
  assert.deepEqual(rules(p.latest()), { one: 'Host(`one.test`)' });
  assert.deepEqual(p.latest()?.issues.map((i) => [i.code, i.where]), [['BERTH_ERR_NOT_SUPPORTED', join(dir, 'old.toml')]]);
  await writeFile(join(dir, 'sub', 'one.yaml'), router('one', 'changed.test'));
  await p.until({ one: 'Host(`changed.test`)' });
  await mkdir(join(dir, 'sub', 'deeper'));
  await writeFile(join(dir, 'sub', 'deeper', 'two.yml'), router('two', 'two.test'));
  await p.until({ one: 'Host(`changed.test`)', two: 'Host(`two.test`)' });
});

test('filename mode: an atomic save (temporary file renamed over the file) is applied, repeatedly', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'dynamic.yml');
  await writeFile(file, router('web', 'a.test'));
  await writeFile(join(dir, 'unrelated.yml'), router('other', 'x.test'));
  const p = await run(t, { filename: file });
  assert.deepEqual(rules(p.latest()), { web: 'Host(`a.test`)' });
  for (const host of ['b.test', 'c.test']) {
    await writeFile(join(dir, '.dynamic.yml.swp'), router('web', host));
    await rename(join(dir, '.dynamic.yml.swp'), file);
    await p.until({ web: `Host(\`${host}\`)` });
  }
});

test('filename mode: a deleted file keeps the previous configuration (issue only) until it is re-created', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'dynamic.yml');
  await writeFile(file, router('web', 'a.test'));
  const p = await run(t, { filename: file });
  await unlink(file);
  await waitFor(() => p.latest()?.issues.some((i) => i.code === 'BERTH_ERR_FILE_READ'), 4000, 'the read issue');
  const gone = p.latest();
  assert.equal(gone?.config, undefined);
  assert.equal(gone?.issues[0]?.where, file);
  assert.match(gone?.issues[0]?.message ?? '', /ENOENT/);
  await writeFile(file, router('web', 'b.test'));
  await p.until({ web: 'Host(`b.test`)' });
  assert.deepEqual(p.latest()?.issues, []);
});

test('a YAML syntax error publishes issues without a configuration; the fix publishes again', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.yml'), router('web', 'a.test'));
  await writeFile(join(dir, 'b.yml'), router('api', 'api.test'));
  const p = await run(t, { directory: dir });
  await writeFile(join(dir, 'b.yml'), 'http:\n  routers:\n    api: [\n');
  await p.until(undefined, 'a publication without configuration');
  assert.match(p.latest()?.issues[0]?.where ?? '', new RegExp(`^${join(dir, 'b.yml')}:\\d+:\\d+$`));
  await writeFile(join(dir, 'b.yml'), router('api', 'fixed.test'));
  await p.until({ api: 'Host(`fixed.test`)', web: 'Host(`a.test`)' });
});

/** Lays out a directory the way kubelet mounts a ConfigMap: files are symlinks through the `..data` symlink. */
async function configMap(dir: string, version: string, files: Record<string, string>): Promise<void> {
  const data = join(dir, `..${version}`);
  await mkdir(data);
  for (const [name, text] of Object.entries(files)) await writeFile(join(data, name), text);
  await symlink(`..${version}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name)).catch(() => undefined);
}

for (const mode of ['directory', 'filename'] as const) {
  test(`${mode} mode: survives Kubernetes ConfigMap updates (the ..data symlink swapped), again and again`, async (t) => {
    const dir = await tempDir(t);
    await configMap(dir, '2024_01_01_v1', { 'app.yml': router('web', 'v1.test') });
    const p = await run(t, mode === 'directory' ? { directory: dir } : { filename: join(dir, 'app.yml') });
    assert.deepEqual(rules(p.latest()), { web: 'Host(`v1.test`)' });
    // The hidden copy kubelet keeps is not read a second time (no duplicate warnings).
    assert.deepEqual(p.latest()?.issues, []);
    let previous = '2024_01_01_v1';
    for (const version of ['2024_01_02_v2', '2024_01_03_v3']) {
      await configMap(dir, version, { 'app.yml': router('web', `${version}.test`) });
      await rm(join(dir, `..${previous}`), { recursive: true });
      previous = version;
      await p.until({ web: `Host(\`${version}.test\`)` });
    }
  });
}

test('a directory missing at start is an issue, not a crash, and is picked up when it appears', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, 'later', 'dynamic');
  const p = await run(t, { directory: dir });
  const first = p.latest();
  assert.equal(first?.config, undefined);
  assert.equal(first?.issues[0]?.code, 'BERTH_ERR_FILE_READ');
  assert.match(first?.issues[0]?.message ?? '', new RegExp(`${dir}: ENOENT`));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'app.yml'), router('web', 'late.test'));
  await p.until({ web: 'Host(`late.test`)' });
});

test('a directory deleted and re-created is watched again', async (t) => {
  const root = await tempDir(t);
  const dir = join(root, 'dynamic');
  await mkdir(dir);
  await writeFile(join(dir, 'app.yml'), router('web', 'a.test'));
  const p = await run(t, { directory: dir });
  await rm(dir, { recursive: true });
  await p.until(undefined, 'the read issue');
  await mkdir(dir);
  await writeFile(join(dir, 'app.yml'), router('web', 'b.test'));
  await p.until({ web: 'Host(`b.test`)' });
  await writeFile(join(dir, 'app.yml'), router('web', 'c.test'));
  await p.until({ web: 'Host(`c.test`)' });
});

test('an unreadable source is a FILE_READ issue naming the path and errno', async (t) => {
  const dir = await tempDir(t);
  const p = await run(t, { filename: dir, watch: false });
  const issue = p.latest()?.issues[0];
  assert.equal(issue?.code, 'BERTH_ERR_FILE_READ');
  assert.equal(issue?.where, dir);
  assert.match(issue?.message ?? '', /EISDIR.*providers\.file\.directory/);
});

test('templates read the environment given to the provider', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'app.yml'), router('web', '{{ env "BERTH_TEST_HOST" }}'));
  const p = await run(t, { directory: dir }, { BERTH_TEST_HOST: 'from-env.test' });
  assert.deepEqual(rules(p.latest()), { web: 'Host(`from-env.test`)' });
});

test('an unchanged state is not published twice', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'app.yml'), router('web', 'a.test'));
  const p = await run(t, { directory: dir });
  await writeFile(join(dir, 'app.yml'), router('web', 'a.test'));
  await writeFile(join(dir, 'b.yml'), router('b', 'b.test'));
  await p.until({ b: 'Host(`b.test`)', web: 'Host(`a.test`)' });
  assert.equal(p.messages.length, 2);
});

test('directory mode: a directory that is a symlink re-pointed elsewhere is followed', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'v1'));
  await mkdir(join(root, 'v2'));
  await writeFile(join(root, 'v1', 'app.yml'), router('web', 'v1.test'));
  await writeFile(join(root, 'v2', 'app.yml'), router('web', 'v2.test'));
  await symlink('v1', join(root, 'current'));
  const p = await run(t, { directory: join(root, 'current') });
  assert.deepEqual(rules(p.latest()), { web: 'Host(`v1.test`)' });
  await symlink('v2', join(root, 'current.tmp'));
  await rename(join(root, 'current.tmp'), join(root, 'current'));
  await p.until({ web: 'Host(`v2.test`)' });
  await writeFile(join(root, 'v2', 'app.yml'), router('web', 'v2-edited.test'));
  await p.until({ web: 'Host(`v2-edited.test`)' });
});
