/**
 * bcrypt (Provos & Mazières, 1999) verification for htpasswd `$2a$`, `$2b$`, `$2x$` and `$2y$` hashes, in the
 * way Go's x/crypto/bcrypt (Traefik's) computes them. Node has no bcrypt built in and Berth adds no native
 * dependency for it. The work loop yields to the event loop every few milliseconds, so a cost-10 check
 * (tens of milliseconds of CPU) delays other requests by at most one slice instead of stalling the proxy.
 */

const BASE64 = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt');
const SLICE_MS = 4;

/** A parsed bcrypt hash. */
export interface BcryptHash {
  readonly cost: number;
  readonly salt: Buffer;
  /** The 23 hash bytes. */
  readonly digest: Buffer;
}

/** Parses `$2y$10$<22 salt chars><31 hash chars>`; undefined when it is not a bcrypt hash. */
export function parseBcrypt(hash: string): BcryptHash | undefined {
  const match = /^\$2[abxy]?\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (match === null) return undefined;
  const cost = Number(match[1]);
  if (cost < 4 || cost > 31) return undefined;
  return { cost, salt: decodeBase64(match[2] as string, 16), digest: decodeBase64(match[3] as string, 23) };
}

/** Computes the 23-byte bcrypt digest of `password`. */
export async function bcryptDigest(password: Buffer, salt: Buffer, cost: number): Promise<Buffer> {
  // The key is the password with its NUL terminator, used cyclically; only the first 72 bytes matter.
  const key = Buffer.concat([password, Buffer.from([0])]);
  const state = initialState();
  expandKey(state, key, salt);
  const rounds = 2 ** cost;
  let deadline = Date.now() + SLICE_MS;
  for (let i = 0; i < rounds; i++) {
    expandKey(state, key, undefined);
    expandKey(state, salt, undefined);
    if ((i & 7) === 7 && Date.now() >= deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      deadline = Date.now() + SLICE_MS;
    }
  }
  const words = new Uint32Array(6);
  for (let i = 0; i < 6; i++) words[i] = MAGIC.readUInt32BE(i * 4);
  const block = new Uint32Array(2);
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 6; j += 2) {
      block[0] = words[j] as number;
      block[1] = words[j + 1] as number;
      encipher(state, block);
      words[j] = block[0] as number;
      words[j + 1] = block[1] as number;
    }
  }
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(words[i] as number, i * 4);
  return out.subarray(0, 23);
}

/** Encodes a hash the way htpasswd writes it (for tests and error messages). */
export function formatBcrypt(version: string, cost: number, salt: Buffer, digest: Buffer): string {
  return `$${version}$${String(cost).padStart(2, '0')}$${encodeBase64(salt)}${encodeBase64(digest)}`;
}

interface State {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
}

function initialState(): State {
  const digits = piWords();
  return { p: digits.slice(0, 18), s: digits.slice(18) };
}

function f(s: Uint32Array, x: number): number {
  const a = s[x >>> 24] as number;
  const b = s[256 + ((x >>> 16) & 0xff)] as number;
  const c = s[512 + ((x >>> 8) & 0xff)] as number;
  const d = s[768 + (x & 0xff)] as number;
  return ((((a + b) >>> 0) ^ c) + d) >>> 0;
}

function encipher(state: State, block: Uint32Array): void {
  const { p, s } = state;
  let l = ((block[0] as number) ^ (p[0] as number)) >>> 0;
  let r = block[1] as number;
  for (let i = 1; i <= 16; i += 2) {
    r = (r ^ f(s, l) ^ (p[i] as number)) >>> 0;
    l = (l ^ f(s, r) ^ (p[i + 1] as number)) >>> 0;
  }
  block[0] = (r ^ (p[17] as number)) >>> 0;
  block[1] = l;
}

/** Reads the next 32-bit word of `data`, cycling; `pos` is advanced. */
function streamWord(data: Buffer, pos: { i: number }): number {
  let word = 0;
  for (let k = 0; k < 4; k++) {
    word = ((word << 8) | (data[pos.i] as number)) >>> 0;
    pos.i = (pos.i + 1) % data.length;
  }
  return word;
}

/** Blowfish key schedule; with `salt`, the "expensive" variant that mixes the salt into every block. */
function expandKey(state: State, key: Buffer, salt: Buffer | undefined): void {
  const { p, s } = state;
  const keyPos = { i: 0 };
  for (let i = 0; i < 18; i++) p[i] = ((p[i] as number) ^ streamWord(key, keyPos)) >>> 0;
  const saltPos = { i: 0 };
  const block = new Uint32Array(2);
  const next = (): void => {
    if (salt !== undefined) {
      block[0] = ((block[0] as number) ^ streamWord(salt, saltPos)) >>> 0;
      block[1] = ((block[1] as number) ^ streamWord(salt, saltPos)) >>> 0;
    }
    encipher(state, block);
  };
  for (let i = 0; i < 18; i += 2) {
    next();
    p[i] = block[0] as number;
    p[i + 1] = block[1] as number;
  }
  for (let i = 0; i < 1024; i += 2) {
    next();
    s[i] = block[0] as number;
    s[i + 1] = block[1] as number;
  }
}

let piCache: Uint32Array | undefined;

/**
 * Blowfish's initial P-array and S-boxes are the first 1042 32-bit words of pi's fractional part. They are
 * computed once (Machin's formula on BigInt, a few milliseconds) instead of being pasted as 1042 constants.
 */
export function piWords(): Uint32Array {
  if (piCache === undefined) {
    const words = 18 + 1024;
    const guard = 64n;
    const bits = BigInt(words * 32) + guard;
    const one = 1n << bits;
    const arctanInverse = (x: bigint): bigint => {
      const x2 = x * x;
      let power = one / x;
      let sum = power;
      for (let k = 1n; power !== 0n; k++) {
        power /= x2;
        const term = power / (2n * k + 1n);
        sum = k % 2n === 1n ? sum - term : sum + term;
      }
      return sum;
    };
    const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n);
    const fraction = (pi - 3n * one) >> guard;
    const out = new Uint32Array(words);
    for (let i = 0; i < words; i++) out[i] = Number((fraction >> BigInt((words - 1 - i) * 32)) & 0xffffffffn);
    piCache = out;
  }
  return piCache.slice();
}

function decodeBase64(text: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of text) {
    value = (value << 6) | BASE64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < length) out[o++] = (value >>> bits) & 0xff;
    }
  }
  return out;
}

function encodeBase64(data: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = ((value << 8) | byte) & 0xffffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64[(value >>> bits) & 0x3f];
    }
  }
  if (bits > 0) out += BASE64[(value << (6 - bits)) & 0x3f];
  return out;
}
