import { pino, type Logger as PinoLogger } from 'pino';

/** Berth's structured logger. One child per component: `logger.child({ component: 'docker' })`. */
export type Logger = PinoLogger;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  /** Traefik's levels (TRACE..PANIC) map onto pino's; PANIC becomes fatal. */
  readonly level: LogLevel;
  /** `json` (one object per line, the default in containers) or `common` (human-readable text). */
  readonly format: 'json' | 'common';
  /** Where lines go; standard output unless given (tests pass a stream to inspect logs). */
  readonly destination?: NodeJS.WritableStream;
  /**
   * Write each line to standard output at once (one write(2) per line). Several processes share standard output
   * in the multi-process mode: whole-line writes below PIPE_BUF are atomic, whereas the buffered writer could
   * flush part of a line and let another process's line land in the middle.
   */
  readonly sync?: boolean;
}

// Values under these keys never reach a log line: certificates, keys, credentials and auth headers.
const REDACT = [
  '*.password', '*.privateKey', '*.keyFile', '*.key', '*.users', '*.hmacEncoded', '*.token',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
];

export function createLogger(options: LoggerOptions): Logger {
  const destination: NodeJS.WritableStream = options.destination ?? (pino.destination({ dest: 1, sync: options.sync ?? false }) as unknown as NodeJS.WritableStream);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.format === 'common' ? { messageKey: 'msg' } : {}),
    },
    options.format === 'common' ? commonFormat(destination) : destination,
  );
}

/** A logger that drops everything; for tests and for code paths that must not print. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Traefik's "common" format is a single readable line per entry. pino-pretty would do this with colours and a
 * worker thread; a plain line formatter is enough and keeps the dependency list short.
 */
function commonFormat(destination: NodeJS.WritableStream): NodeJS.WritableStream {
  return {
    write(chunk: string): boolean {
      try {
        const { time, level, msg, pid: _pid, ...rest } = JSON.parse(chunk) as Record<string, unknown>;
        const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`);
        return destination.write(`${String(time)} ${String(level).toUpperCase()} ${String(msg ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}\n`);
      } catch {
        return destination.write(chunk);
      }
    },
  } as NodeJS.WritableStream;
}
