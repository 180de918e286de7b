import { readFileSync } from 'node:fs';

/** Berth's version, from the package.json shipped beside dist/ (dist/src/version.js -> ../../package.json). */
export const BERTH_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'dev';
  } catch {
    return 'dev';
  }
})();
