import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { DockerEngine } from './docker-engine.js';
import { cached, importNodeBaseImage, nodeBaseTar } from './node-base-image.js';

const run = promisify(execFile);

/** The tag tests and the compose examples' test overrides use. */
export const BERTH_TEST_IMAGE = 'berth:test';

/** The repository root (this file is dist/test/helpers/berth-image.js once compiled). */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export interface BerthImage {
  readonly tag: string;
  /** True when this call ran `docker build`; false when the image came from the cache of an identical build. */
  readonly built: boolean;
  /** `docker build` output, when built. */
  readonly buildLog: string;
}

/**
 * Makes `berth:test` in `engine` from the repository's Dockerfile, on the locally made Node base. The build needs
 * the npm registry (`npm ci` runs with `--network host`, the classic builder). Its result is saved as a tar keyed
 * by the hash of everything the build reads, so the next test file (with its own engine) only loads it.
 */
export async function ensureBerthImage(engine: DockerEngine): Promise<BerthImage> {
  const key = await buildKey();
  let buildLog = '';
  let built = false;
  // The base is imported either way, so that the image's own share of the size can be measured.
  await importNodeBaseImage(engine);
  const tar = await cached('berth', key, async (target) => {
    const { stdout, stderr } = await run('docker', ['-H', engine.endpoint, 'build', '--network', 'host', '-t', BERTH_TEST_IMAGE, REPO_ROOT], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`docker build failed: ${err.message}\n${(err.stdout ?? '').slice(-3000)}\n${(err.stderr ?? '').slice(-3000)}`);
    });
    buildLog = `${stdout}${stderr}`;
    built = true;
    await engine.docker('save', '-o', target, BERTH_TEST_IMAGE);
  });
  if (!built) await engine.docker('load', '-i', tar);
  return { tag: BERTH_TEST_IMAGE, built, buildLog };
}

/** What the image is made of: the build inputs the .dockerignore lets through, and the base. */
async function buildKey(): Promise<string> {
  const hash = createHash('sha256').update(await nodeBaseTar());
  const files = ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', ...await listFiles('src'), ...await listFiles('defaults')];
  for (const file of files.sort()) hash.update(file).update('\0').update(await readFile(join(REPO_ROOT, file))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)));
}
