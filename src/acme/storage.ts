import { randomBytes } from 'node:crypto';
import { open, rename, stat, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BerthError } from '../errors/berth-error.js';
import { ErrorCodes } from '../errors/codes.js';

/**
 * Traefik's acme.json, field for field (pkg/provider/acme/local_store.go, account.go), so a Traefik user's file
 * works as is: one top-level key per resolver; byte slices are base64 as Go's encoding/json writes them.
 */
export interface StoredAccount {
  Email: string;
  Registration: { body: unknown; uri: string } | null;
  /** base64 of the account key's DER (PKCS#1 RSA in Traefik's files). */
  PrivateKey: string | null;
  KeyType?: string;
}

export interface StoredCertificate {
  domain: { main: string; sans?: string[] };
  /** base64 of the PEM chain. */
  certificate: string;
  /** base64 of the PEM key. */
  key: string;
  Store: string;
}

export interface ResolverData {
  Account: StoredAccount | null;
  Certificates: StoredCertificate[] | null;
}

/** Berth-only memory of a failing name set, so a restart does not hammer the CA. */
export interface StoredBackoff {
  names: string[];
  failures: number;
  /** ISO time of the next allowed attempt. */
  nextAttempt: string;
  lastError: string;
  /** The CA's problem type (`urn:ietf:params:acme:error:...`) when it sent one. */
  errorType?: string;
  challenge?: string;
}

/**
 * Berth's own state lives under this top-level key. Traefik unmarshals every top-level key into a resolver's
 * `{Account, Certificates}` (Go ignores unknown fields), so for Traefik it is an empty resolver nobody uses: the
 * file still loads. A dot cannot appear in a resolver name given by flags or environment, so it cannot collide.
 */
export const BERTH_KEY = 'berth.state';

interface BerthState {
  version: 1;
  backoff: Record<string, Record<string, StoredBackoff>>;
}

type FileShape = Record<string, unknown>;

/**
 * One acme.json shared by every resolver that names it. Reads at open; each change is written at once,
 * atomically (temporary file in the same directory, fsync, rename, fsync of the directory) and with mode 0600.
 */
export interface AcmeStorage {
  readonly path: string;
  /** Messages about the file that were handled (a corrupt file moved aside); shown once by each resolver. */
  readonly notices: readonly string[];
  read(resolver: string): ResolverData;
  write(resolver: string, data: ResolverData): Promise<void>;
  backoff(resolver: string): Record<string, StoredBackoff>;
  writeBackoff(resolver: string, backoff: Record<string, StoredBackoff>): Promise<void>;
}

const opened = new Map<string, Promise<AcmeStorage>>();

/**
 * Opens (once per path and process) the storage file. A file readable by group or others is refused, as Traefik
 * refuses it, with what to do; a file that is not JSON is moved aside to `<file>.corrupt-<timestamp>` and
 * reported, never silently overwritten.
 */
export function openStorage(path: string): Promise<AcmeStorage> {
  const absolute = resolve(path);
  let storage = opened.get(absolute);
  if (storage === undefined) {
    storage = load(absolute);
    opened.set(absolute, storage);
    storage.catch(() => opened.delete(absolute));
  }
  return storage;
}

/** Forgets opened files (tests reopen a file as a restarted process would). */
export function forgetOpenedStorage(): void {
  opened.clear();
}

async function load(path: string): Promise<AcmeStorage> {
  const notices: string[] = [];
  let content: FileShape = {};
  let exists = true;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new BerthError(ErrorCodes.ACME_STORAGE, `permissions ${(info.mode & 0o777).toString(8)} for ${path} are too open, please use 600: run "chmod 600 ${path}"; the certificate resolvers using it are disabled`, { where: path });
    }
  } catch (err) {
    if (err instanceof BerthError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new BerthError(ErrorCodes.ACME_STORAGE, `cannot read ${path}: ${(err as Error).message}`, { where: path, cause: err });
    exists = false;
  }
  if (exists) {
    const text = await readFile(path, 'utf8');
    if (text.trim() !== '') {
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level is not an object');
        content = parsed as FileShape;
      } catch (err) {
        const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await rename(path, aside);
        notices.push(`${path} is not valid JSON (${(err as Error).message}); it was moved to ${aside} and a new file is started`);
      }
    }
  }

  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    const body = `${JSON.stringify(content, null, 2)}\n`;
    writing = writing.then(() => atomicWrite(path, body), () => atomicWrite(path, body));
    return writing;
  };
  const berth = (): BerthState => {
    const state = content[BERTH_KEY] as BerthState | undefined;
    if (state !== undefined && state.version === 1 && typeof state.backoff === 'object') return state;
    const fresh: BerthState = { version: 1, backoff: {} };
    content[BERTH_KEY] = fresh;
    return fresh;
  };

  return {
    path,
    notices,
    read(resolver) {
      return normalize(content[resolver]);
    },
    write(resolver, data) {
      content[resolver] = data;
      return save();
    },
    backoff(resolver) {
      return { ...(berth().backoff[resolver] ?? {}) };
    },
    writeBackoff(resolver, backoff) {
      berth().backoff[resolver] = backoff;
      return save();
    },
  };
}

/** Reads a resolver's entry leniently, as Go does; entries without certificate or key are dropped (Traefik). */
function normalize(value: unknown): ResolverData {
  const entry = (value ?? {}) as Partial<ResolverData>;
  const account = entry.Account !== null && typeof entry.Account === 'object' ? entry.Account : null;
  const certificates = Array.isArray(entry.Certificates)
    ? entry.Certificates.filter((c) => c !== null && typeof c === 'object' && typeof c.certificate === 'string' && c.certificate !== '' && typeof c.key === 'string' && c.key !== '' && typeof c.domain?.main === 'string')
    : null;
  return { Account: account, Certificates: certificates };
}

async function atomicWrite(path: string, body: string): Promise<void> {
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(body);
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw new BerthError(ErrorCodes.ACME_STORAGE, `cannot write ${path}: ${(err as Error).message}`, { where: path, cause: err });
  }
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** Go's []byte JSON encoding. */
export const toBase64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');
export const fromBase64 = (value: string): string => Buffer.from(value, 'base64').toString('utf8');
