import { createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { AccessLogConfig } from '../../config/static/schema.js';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { Logger } from '../logger.js';
import { FieldPolicy, lineFields } from './fields.js';
import { clfLine, jsonLine } from './formats.js';
import type { AccessRecord } from './record.js';

/** Lines kept back at most this long when `bufferingSize` batches them. */
const FLUSH_AFTER_MS = 1000;

export interface AccessLogOptions {
  readonly logger: Logger;
  /** Where lines go without `filePath` (standard output unless given; tests pass a stream). */
  readonly stdout?: NodeJS.WritableStream;
}

/**
 * The access log (`accessLog`, reference §8.3): one line per finished request in Traefik's `common`, `genericCLF`
 * or `json` format, to `filePath` or standard output. Filters keep a line when any of them matches, as in
 * Traefik (status ranges, retried requests, slower than minDuration). With `bufferingSize`, lines are batched
 * into one write of up to that many lines (or after a second); `reopen()` (SIGUSR1) closes and reopens the file
 * so that logrotate can move it away.
 */
export class AccessLog {
  readonly #config: AccessLogConfig;
  readonly #logger: Logger;
  readonly #policy: FieldPolicy;
  readonly #statusRanges: ReadonlyArray<readonly [number, number]>;
  readonly #filtered: boolean;
  #out: NodeJS.WritableStream;
  #file: WriteStream | undefined;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #count = 0;

  constructor(config: AccessLogConfig, options: AccessLogOptions) {
    this.#config = config;
    this.#logger = options.logger;
    this.#policy = new FieldPolicy(config.fields);
    const filters = config.filters;
    this.#statusRanges = (filters?.statusCodes ?? []).map(parseStatusRange);
    // An empty `filters` section (only `--accessLog.filters`) keeps everything, as in Traefik.
    this.#filtered = filters !== undefined && (this.#statusRanges.length > 0 || filters.retryAttempts || filters.minDuration > 0);
    this.#file = config.filePath === undefined ? undefined : openFile(config.filePath, this.#logger);
    this.#out = this.#file ?? options.stdout ?? process.stdout;
  }

  /** The next value of Traefik's RequestCount (every request counts, logged or not). */
  nextRequestCount(): number {
    return ++this.#count;
  }

  /** Whether a request with this outcome is logged under `filters`. */
  accepts(status: number, retryAttempts: number, durationMs: number): boolean {
    if (!this.#filtered) return true;
    for (const [low, high] of this.#statusRanges) if (status >= low && status <= high) return true;
    const filters = this.#config.filters;
    if (filters?.retryAttempts === true && retryAttempts > 0) return true;
    return filters !== undefined && filters.minDuration > 0 && durationMs > filters.minDuration;
  }

  write(record: AccessRecord): void {
    const fields = lineFields(record, this.#policy);
    const format = this.#config.format;
    const line = format === 'json' ? jsonLine(fields, new Date()) : clfLine(fields, record, format === 'genericCLF');
    if (this.#config.bufferingSize <= 0) {
      this.#out.write(line);
      return;
    }
    this.#pending.push(line);
    if (this.#pending.length >= this.#config.bufferingSize) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), FLUSH_AFTER_MS);
      this.#timer.unref();
    }
  }

  /** Closes and reopens the file (SIGUSR1, after logrotate moved it); a no-op on standard output. */
  reopen(): void {
    const path = this.#config.filePath;
    if (path === undefined) return;
    this.#flush();
    const previous = this.#file;
    try {
      this.#file = openFile(path, this.#logger);
      this.#out = this.#file;
      previous?.end();
      this.#logger.info({ filePath: path }, 'access log reopened');
    } catch (err) {
      this.#logger.error({ err, filePath: path }, 'cannot reopen the access log; still writing to the previous file');
    }
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    this.#flush();
    const file = this.#file;
    this.#file = undefined;
    if (file !== undefined) await new Promise<void>((resolve) => file.end(() => resolve()));
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#out.write(text);
  }
}

/** Opens (creating it and its directory, as Traefik's os.MkdirAll + O_APPEND) synchronously, so start-up fails loudly. */
function openFile(path: string, logger: Logger): WriteStream {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'a', 0o664);
  } catch (err) {
    throw new BerthError(ErrorCodes.STATIC_CONFIG, `accessLog.filePath: cannot open ${path} for appending: ${(err as Error).message}; fix the path or its permissions`, { cause: err });
  }
  const stream = createWriteStream(path, { fd, flags: 'a' });
  // A failure later (disk full) must not crash the proxy: it is logged and requests keep flowing.
  stream.on('error', (err) => logger.error({ err, filePath: path }, 'writing the access log failed'));
  return stream;
}

/** `200` or `300-302`; the static schema already checked the syntax. */
function parseStatusRange(text: string): readonly [number, number] {
  const [low, high] = text.trim().split('-');
  return [Number(low), Number(high ?? low)];
}
