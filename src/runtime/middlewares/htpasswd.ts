import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '../../errors/codes.js';
import { bcryptDigest, parseBcrypt } from './bcrypt.js';
import { MiddlewareBuildError } from './middleware.js';

/**
 * htpasswd password checks as go-http-auth (Traefik's library) does them: `{SHA}` base64 SHA-1, bcrypt
 * `$2y$`/`$2a$`/`$2b$`/`$2x$`, and anything else as MD5-crypt (`$apr1$` from htpasswd -m, `$1$` from crypt).
 * Plain-text passwords are not accepted, as in Traefik.
 */
export type SecretCheck = (password: Buffer) => Promise<boolean>;

/** Compiles the check for one stored hash (parsing happens once, at build time). */
export function compileSecret(secret: string): SecretCheck {
  if (secret.startsWith('{SHA}')) {
    const expected = Buffer.from(secret);
    return async (password) => equal(Buffer.from(`{SHA}${createHash('sha1').update(password).digest('base64')}`), expected);
  }
  if (/^\$2[abxy]?\$/.test(secret)) {
    const hash = parseBcrypt(secret);
    if (hash === undefined) return async () => false;
    return async (password) => equal(await bcryptDigest(password, hash.salt, hash.cost), hash.digest);
  }
  const parts = secret.split('$');
  if (parts.length < 4 || parts[0] !== '') return async () => false;
  const magic = Buffer.from(`$${parts[1]}$`);
  const salt = Buffer.from(parts[2] as string);
  const expected = Buffer.from(secret);
  return async (password) => equal(md5Crypt(password, salt, magic), expected);
}

function equal(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Poul-Henning Kamp's MD5-crypt, with Apache's `$apr1$` magic or the original `$1$`. */
export function md5Crypt(password: Buffer, salt: Buffer, magic: Buffer): Buffer {
  const alternate = createHash('md5').update(password).update(salt).update(password).digest();
  const first = createHash('md5').update(password).update(magic).update(salt);
  for (let i = password.length; i > 0; i -= 16) first.update(alternate.subarray(0, Math.min(16, i)));
  for (let i = password.length; i > 0; i >>= 1) first.update((i & 1) === 1 ? Buffer.from([0]) : password.subarray(0, 1));
  let digest = first.digest();
  // 1000 rounds, to make brute force slower (as specified, in 1994 terms).
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update((i & 1) === 1 ? password : digest);
    if (i % 3 !== 0) round.update(salt);
    if (i % 7 !== 0) round.update(password);
    round.update((i & 1) === 1 ? digest : password);
    digest = round.digest();
  }
  let out = '';
  const encode = (value: number, chars: number): void => {
    for (let c = 0; c < chars; c++) {
      out += ITOA64[value & 0x3f];
      value >>>= 6;
    }
  };
  const d = (i: number): number => digest[i] as number;
  for (const [a, b, c] of [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]] as const) encode((d(a) << 16) | (d(b) << 8) | d(c), 4);
  encode(d(11), 2);
  return Buffer.concat([magic, salt, Buffer.from(`$${out}`)]);
}

/**
 * The users of an auth middleware: entries of `usersFile` (read now, at build time; blank lines and `#`
 * comments skipped) then `users`, so that `users` wins for a name present in both, as in Traefik.
 */
export function loadUserLines(users: readonly string[] | undefined, usersFile: string | undefined): Array<{ line: string; key: string }> {
  const lines: Array<{ line: string; key: string }> = [];
  if (usersFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(usersFile, 'utf8');
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new MiddlewareBuildError(ErrorCodes.FILE_READ, `usersFile: cannot read "${usersFile}": ${detail}`);
    }
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line !== '' && !line.startsWith('#')) lines.push({ line, key: `usersFile ${usersFile} line ${i + 1}` });
    });
  }
  (users ?? []).forEach((line, i) => lines.push({ line, key: `users[${i}]` }));
  if (lines.length === 0) throw new MiddlewareBuildError(ErrorCodes.MISSING_VALUE, `no users found${usersFile === undefined ? '' : ` in ${usersFile}`}`);
  return lines;
}
