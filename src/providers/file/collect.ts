import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import type { DynamicFile } from './parse.js';

/** What one read of the provider's source found. */
export interface Collected {
  readonly files: DynamicFile[];
  readonly issues: ConfigIssue[];
  /**
   * False when part of the source could not be read (a missing directory, a file without read permission):
   * the provider then publishes no configuration, so the previous one stays in force, as in Traefik.
   */
  readonly complete: boolean;
  /** The directories the source lives in, to be watched. */
  readonly directories: string[];
}

const YAML_FILE = /\.ya?ml$/i;
// Traefik nests sub-directories without bound; a symlink loop must not make us do the same.
const MAX_DEPTH = 16;

/**
 * Reads every `.yml`/`.yaml` file under `directory`, sub-directories included (Traefik v3's
 * `collectFileConfigs` recurses too). Symbolic links are followed, which is what a Kubernetes ConfigMap
 * mount needs (`app.yml -> ..data/app.yml`). Unlike Traefik, entries whose name starts with a dot are
 * skipped: that leaves out Kubernetes' own `..2024_01_01_...` copy of the files (which Traefik reads a
 * second time and reports as duplicates) and editors' lock and swap files.
 */
export async function collectDirectory(directory: string): Promise<Collected> {
  const out = { files: [] as DynamicFile[], issues: [] as ConfigIssue[], complete: true, directories: [] as string[] };
  await walk(directory, 0, new Set<string>(), out);
  return out;
}

async function walk(directory: string, depth: number, visited: Set<string>, out: { -readonly [K in keyof Collected]: Collected[K] }): Promise<void> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
    visited.add(await realpath(directory));
  } catch (err) {
    // A sub-directory removed since its parent was listed is simply gone; the top directory must exist.
    if (depth > 0 && errnoOf(err) === 'ENOENT') return;
    out.issues.push(readIssue(directory, 'directory', err));
    out.complete = false;
    return;
  }
  out.directories.push(directory);
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(directory, name);
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      // A dangling symlink, or a file deleted since the listing: the next event rebuilds anyway.
      if (errnoOf(err) === 'ENOENT') continue;
      out.issues.push(readIssue(path, 'file', err));
      out.complete = false;
      continue;
    }
    if (info.isDirectory()) {
      if (depth + 1 >= MAX_DEPTH || visited.has(await realpath(path).catch(() => path))) continue;
      await walk(path, depth + 1, visited, out);
    } else if (info.isFile() && YAML_FILE.test(name)) {
      await readInto(path, out, true);
    } else if (info.isFile() && /\.toml$/i.test(name)) {
      out.issues.push({
        code: ErrorCodes.NOT_SUPPORTED,
        severity: 'error',
        where: path,
        message: 'TOML dynamic configuration is not supported and this file is ignored; write it as YAML (same keys)',
      });
    }
  }
}

/** Reads the single file of `providers.file.filename`; its directory (and its symlink target's) are watched. */
export async function collectFile(filename: string): Promise<Collected> {
  const out = { files: [] as DynamicFile[], issues: [] as ConfigIssue[], complete: true, directories: [dirname(filename)] };
  const target = await realpath(filename).catch(() => undefined);
  if (target !== undefined && dirname(target) !== (await realpath(dirname(filename)).catch(() => dirname(filename)))) {
    out.directories.push(dirname(target));
  }
  await readInto(filename, out, false);
  return out;
}

async function readInto(path: string, out: { files: DynamicFile[]; issues: ConfigIssue[]; complete: boolean }, vanishedIsFine: boolean): Promise<void> {
  try {
    out.files.push({ name: path, text: await readFile(path, 'utf8') });
  } catch (err) {
    if (vanishedIsFine && errnoOf(err) === 'ENOENT') return;
    out.issues.push(readIssue(path, 'file', err));
    out.complete = false;
  }
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

const ADVICE: Readonly<Record<string, string>> = {
  ENOENT: 'check the path in providers.file; in a container, mount the directory rather than single files so that changes are seen',
  EACCES: 'give the user Berth runs as read permission',
  EPERM: 'give the user Berth runs as read permission',
  ENOTDIR: 'providers.file.directory must name a directory (use providers.file.filename for a single file)',
  EISDIR: 'providers.file.filename must name a file (use providers.file.directory for a directory)',
};

/** A FILE_READ issue naming the path and the errno; the previous configuration stays in force meanwhile. */
function readIssue(path: string, what: 'file' | 'directory', err: unknown): ConfigIssue {
  const errno = errnoOf(err) ?? 'error';
  const detail = err instanceof Error ? err.message.replace(/^\w+: /, '').replace(/, \w+ '.*'$/, '') : String(err);
  const advice = ADVICE[errno];
  return {
    code: ErrorCodes.FILE_READ,
    severity: 'error',
    where: path,
    message: `cannot read the ${what} ${path}: ${errno} (${detail}); the previous file configuration stays in force${advice === undefined ? '' : `; ${advice}`}`,
  };
}
