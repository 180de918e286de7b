import { readFileSync } from 'node:fs';

/**
 * The `readFile` that `loadStaticConfig` takes, on the real file system: a file's UTF-8 text, or undefined when
 * there is no readable file at `path` (missing, a directory, no permission), so that the search moves on to the
 * next default location and an explicit `--configFile` is reported as missing or unreadable.
 */
export function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EACCES' || code === 'EPERM') return undefined;
    throw err;
  }
}
