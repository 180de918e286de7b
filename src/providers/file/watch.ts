import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../../observability/logger.js';

/** A directory to watch and which of its entries matter. */
export interface WatchTarget {
  readonly directory: string;
  /** Whether an event about entry `name` matters; `name` is null when the platform does not say. */
  readonly accept: (name: string | null) => boolean;
}

export interface DirectoryWatcher {
  /**
   * Watches exactly these directories from now on. Called after every rebuild, because what is on disk may
   * have changed under a watch: a directory deleted and re-created, a symlink re-pointed.
   */
  update(targets: readonly WatchTarget[]): void;
  close(): void;
}

interface Active {
  readonly watcher: FSWatcher;
  /** dev:inode of the directory when the watch was set; another value means it was replaced. */
  readonly identity: string;
  accept: (name: string | null) => boolean;
}

/**
 * Directory watches on fs.watch (inotify on Linux), as Traefik's file provider watches with fsnotify. Only
 * directories are watched, never files: a watch on a file follows its inode, which an editor's atomic save
 * (write a temporary file, rename it over) or a Kubernetes ConfigMap update (the `..data` symlink swapped)
 * replaces, after which Traefik's file watch goes silent. A directory that does not exist yet is watched
 * through its nearest existing ancestor until it appears. `onChange` is called for every relevant event;
 * the caller debounces.
 */
export function watchDirectories(onChange: () => void, logger: Logger): DirectoryWatcher {
  const active = new Map<string, Active>();
  let closed = false;

  const drop = (directory: string): void => {
    active.get(directory)?.watcher.close();
    active.delete(directory);
  };

  const add = (directory: string, accept: (name: string | null) => boolean): void => {
    try {
      const identity = identityOf(directory);
      if (identity === undefined) throw Object.assign(new Error(`${directory} is not a directory`), { code: 'ENOENT' });
      const entry: Active = { identity, accept, watcher: watch(directory, { persistent: true }, (_event, name) => {
        if (!closed && entry.accept(typeof name === 'string' ? name : null)) onChange();
      }) };
      entry.watcher.on('error', (err) => {
        logger.debug({ err, directory }, 'directory watch failed; it is set again after the next rebuild');
        drop(directory);
        if (!closed) onChange();
      });
      active.set(directory, entry);
    } catch (err) {
      // Gone between the check and the watch: a rebuild finds it missing and watches an ancestor instead.
      if ((err as { code?: unknown }).code === 'ENOENT') onChange();
      else logger.warn({ err, directory }, 'cannot watch this directory; changes in it are not seen until restart');
    }
  };

  return {
    update(targets) {
      if (closed) return;
      const wanted = new Map<string, (name: string | null) => boolean>();
      for (const target of targets) {
        const { directory, accept } = existingAncestor(resolve(target.directory), target.accept);
        const previous = wanted.get(directory);
        wanted.set(directory, previous === undefined ? accept : (name) => previous(name) || accept(name));
      }
      for (const [directory, entry] of active) {
        if (!wanted.has(directory) || identityOf(directory) !== entry.identity) drop(directory);
      }
      for (const [directory, accept] of wanted) {
        const entry = active.get(directory);
        if (entry !== undefined) entry.accept = accept;
        else add(directory, accept);
      }
    },
    close() {
      closed = true;
      for (const directory of [...active.keys()]) drop(directory);
    },
  };
}

/** The directory itself when it exists, else its nearest existing ancestor, listening for the missing child. */
function existingAncestor(directory: string, accept: (name: string | null) => boolean): WatchTarget {
  let current = directory;
  let filter = accept;
  while (identityOf(current) === undefined) {
    const parent = dirname(current);
    if (parent === current) break;
    const child = basename(current);
    filter = (name) => name === null || name === child;
    current = parent;
  }
  return { directory: current, accept: filter };
}

function identityOf(directory: string): string | undefined {
  try {
    const info = statSync(directory);
    return info.isDirectory() ? `${info.dev}:${info.ino}` : undefined;
  } catch {
    return undefined;
  }
}
