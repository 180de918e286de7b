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
 *
 * Started as root, nginx runs its workers as nobody, who cannot read a checkout under a private directory (a
 * `mktemp -d` clone is mode 700): the 1 MB file then answers 403. The workers run as root in that case.
 */
export function nginxPaths(dir) {
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return {
    main: `${user}pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log error;`,
    http: ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`).join('\n'),
  };
}
