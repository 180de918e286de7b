import { realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { FileProviderSettings } from '../../config/static/providers.js';
import type { Logger } from '../../observability/logger.js';
import { deepEqual } from '../../util/deep-equal.js';
import type { Provider, ProviderMessage, Publish } from '../provider.js';
import { collectDirectory, collectFile, type Collected } from './collect.js';
import { parseDynamicFiles } from './parse.js';
import type { TemplateEnv } from './template.js';
import { watchDirectories, type WatchTarget } from './watch.js';

export interface FileProviderOptions {
  readonly logger: Logger;
  /** The name elements are qualified with; `file` unless given. */
  readonly name?: string;
  /** What `{{ env "NAME" }}` reads; `process.env` unless given. */
  readonly env?: TemplateEnv;
  /** Quiet time after the last file event before re-reading (editors and kubelet write in several steps). */
  readonly debounceMs?: number;
}

/** Under a steady stream of events, re-read at least this often anyway. */
const MAX_DEBOUNCE_MS = 1000;

/**
 * The file provider (`providers.file`): one file or a directory of YAML files, re-read after every change
 * when `watch` is on. It publishes the full state each time. When a file cannot be read or parsed, it
 * publishes the issues without a configuration, so the previous configuration stays in force (Traefik
 * keeps it too, reference §9). Element names are unqualified: the watcher adds `@file`.
 */
export function createFileProvider(settings: FileProviderSettings, options: FileProviderOptions): Provider {
  const name = options.name ?? 'file';
  const logger = options.logger.child({ component: 'provider', provider: name });
  const env = options.env ?? process.env;
  const debounceMs = options.debounceMs ?? 100;
  const source = settings.directory ?? settings.filename;
  if (source === undefined) throw new Error('providers.file needs "filename" or "directory" (the static schema guarantees one)');

  async function read(publish: Publish, last: { message?: ProviderMessage }, signal: AbortSignal): Promise<Collected> {
    const collected = settings.directory !== undefined ? await collectDirectory(settings.directory) : await collectFile(source as string);
    const parsed = parseDynamicFiles(collected.files, { env });
    if (settings.debugLogGeneratedTemplate) {
      for (const file of parsed.rendered) logger.debug({ file: file.name, rendered: file.text }, 'rendered template');
    }
    const issues = [...collected.issues, ...parsed.issues];
    const config = collected.complete ? parsed.config : undefined;
    const message: ProviderMessage = config === undefined ? { provider: name, issues } : { provider: name, config, issues, origins: parsed.origins };
    // Re-publishing an unchanged state would only take the throttle's slot ahead of a real change.
    if (!signal.aborted && !deepEqual(message, last.message)) {
      last.message = message;
      if (config === undefined) logger.error({ issues: issues.length }, 'file configuration not applied; the previous one stays in force');
      else logger.info({ files: collected.files.length, issues: issues.length }, 'file configuration read');
      publish(message);
    }
    return collected;
  }

  return {
    name,
    throttled: true,
    async start(publish, signal) {
      const last: { message?: ProviderMessage } = {};
      if (!settings.watch) {
        await read(publish, last, signal);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let firstEventAt: number | undefined;
      let reading = false;
      let again = false;

      /** Reads and publishes, then watches what the read found (sub-directories come and go). */
      const refresh = async (): Promise<void> => {
        timer = undefined;
        firstEventAt = undefined;
        reading = true;
        try {
          const collected = await read(publish, last, signal);
          watcher.update(targetsFor(settings, collected));
        } finally {
          reading = false;
          if (again) {
            again = false;
            schedule();
          }
        }
      };
      // Debounced: an atomic save or a ConfigMap update is several events; read once they settle.
      const schedule = (): void => {
        if (signal.aborted) return;
        if (reading) {
          again = true;
          return;
        }
        const now = Date.now();
        firstEventAt ??= now;
        clearTimeout(timer);
        timer = setTimeout(() => {
          refresh().catch((err: unknown) => logger.error({ err }, 'reading the file configuration failed'));
        }, Math.max(0, Math.min(debounceMs, firstEventAt + MAX_DEBOUNCE_MS - now)));
      };

      const watcher = watchDirectories(schedule, logger);
      const stop = (): void => {
        clearTimeout(timer);
        watcher.close();
      };
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      // Watch before the first read, so that a change made while it reads is not missed.
      watcher.update(targetsFor(settings, undefined));
      try {
        await refresh();
      } catch (err) {
        signal.removeEventListener('abort', stop);
        stop();
        throw err;
      }
    },
  };
}

/** What to watch after a read: every directory read, or the file's directory (and its symlink target's). */
function targetsFor(settings: FileProviderSettings, collected: Collected | undefined): WatchTarget[] {
  if (settings.directory !== undefined) {
    const top = resolve(settings.directory);
    const directories = collected !== undefined && collected.directories.length > 0 ? collected.directories : [top];
    // The parent too, for the directory itself being replaced: deleted and re-created, or a symlink re-pointed.
    const parent: WatchTarget = { directory: dirname(top), accept: (name) => name === null || name === basename(top) };
    return [parent, ...directories.map((directory) => ({ directory, accept: () => true }))];
  }
  const filename = resolve(settings.filename as string);
  const base = basename(filename);
  // In the file's own directory: the file itself, and Kubernetes' `..data` swap, which replaces the file a
  // symlink `app.yml -> ..data/app.yml` leads to without any event naming `app.yml`.
  const targets: WatchTarget[] = [{ directory: dirname(filename), accept: (name) => name === null || name === base || name.startsWith('..') }];
  for (const directory of collected?.directories ?? []) {
    if (resolve(directory) === dirname(filename)) continue;
    const target = realTargetName(filename);
    targets.push({ directory, accept: (name) => name === null || name === target });
  }
  return targets;
}

function realTargetName(filename: string): string | undefined {
  try {
    return basename(realpathSync(filename));
  } catch {
    return undefined;
  }
}
