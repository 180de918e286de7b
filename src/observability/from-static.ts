import { createWriteStream } from 'node:fs';
import type { LogConfig } from '../config/static/schema.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';

const LEVELS: Readonly<Record<LogConfig['level'], LogLevel>> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', PANIC: 'fatal',
};

/** The process logger from `log.{level, format, filePath}` (Traefik's levels; PANIC is pino's fatal). */
export function loggerFrom(config: LogConfig): Logger {
  const destination = config.filePath === undefined ? undefined : createWriteStream(config.filePath, { flags: 'a' });
  return createLogger({ level: LEVELS[config.level], format: config.format, ...(destination === undefined ? {} : { destination }) });
}
