// Small file helpers shared by the configuration generators.
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Writes a file by writing a temporary one and renaming it over: a reader (a proxy reloading, the file
 * provider's directory watch) sees the old or the new file, never half of one.
 */
export function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/**
 * The nginx directives that keep an nginx instance's files inside `dir` (pid, error log, temp directories),
 * so it never touches /var/lib/nginx. `http` is the block's start.
 */
export function nginxPaths(dir) {
  return {
    main: `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log error;`,
    http: ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`).join('\n'),
  };
}
