import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healthcheckTarget, type ProcessTable } from '../../src/cli/healthcheck-target.js';

const SELF = '/app/dist/src/main.js';

/** A process table with these argv by pid, PID 1's children, and `/app` as every cwd. */
function table(processes: Record<number, string[]>, children: number[] = []): ProcessTable {
  return {
    argv: async (pid) => processes[pid],
    cwd: async () => '/app',
    children: async () => children,
    realpath: async (path) => (path === SELF || path === '/usr/local/bin/node' ? path : undefined),
  };
}

test('flags given to healthcheck are used as they are (Traefik\'s behaviour)', async () => {
  const target = await healthcheckTarget(['--ping'], SELF, table({ 1: ['node', SELF, '--entryPoints.web.address=:81'] }));
  assert.deepEqual(target, { kind: 'config', args: ['--ping'] });
});

test('without flags, the flags of a Berth main process (PID 1) are used', async () => {
  const flags = ['--entryPoints.web.address=127.0.0.1:8000', '--ping', '--configFile', 'berth.yml'];
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, ...flags] })), { kind: 'config', args: flags });
  // `run` spelled out, node options before the script and a relative script path.
  const relative = table({ 1: ['/usr/local/bin/node', '--enable-source-maps', 'dist/src/main.js', 'run', '--ping'] });
  assert.deepEqual(await healthcheckTarget([], SELF, relative), { kind: 'config', args: ['--ping'] });
});

test('behind Docker\'s init, the init\'s child is the main process', async () => {
  const target = await healthcheckTarget([], SELF, table({ 1: ['/sbin/docker-init', '--', 'node', SELF, '--ping'], 7: ['node', SELF, '--ping'] }, [7]));
  assert.deepEqual(target, { kind: 'config', args: ['--ping'] });
});

test('a `berth whoami` main process is checked on its /health', async () => {
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, 'whoami', '--port=8082', '--name=a'] })), { kind: 'url', url: 'http://127.0.0.1:8082/health' });
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, 'whoami', '--host', '127.0.0.2'] })), { kind: 'url', url: 'http://127.0.0.2:80/health' });
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, 'whoami', '--host=::1', '--port=9'] })), { kind: 'url', url: 'http://[::1]:9/health' });
});

test('anything else keeps the default: another program, another script, an unreadable table, bad flags', async () => {
  const own = { kind: 'config', args: [] };
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['/sbin/init'] })), own);
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', '/srv/other.js', '--ping'] })), own);
  assert.deepEqual(await healthcheckTarget([], SELF, table({})), own);
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['/sbin/docker-init', '--', 'x'] }, [])), own);
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, 'version'] })), own);
  assert.deepEqual(await healthcheckTarget([], SELF, table({ 1: ['node', SELF, 'bogus-command'] })), own);
});
