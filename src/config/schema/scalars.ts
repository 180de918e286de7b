import { ErrorCodes } from '../../errors/codes.js';
import { parseDuration } from '../../util/duration.js';
import { INVALID, describeRaw, report, type DecodeContext, type Invalid, type Path, type Schema } from './types.js';

/**
 * Scalars accept their native YAML type or a string (labels, env and flags are strings, and Traefik's
 * decoder is string-based, so `port: "80"` in YAML is accepted too). `null` (an empty YAML value) is absent.
 */
function scalar<T>(kind: string, parse: (raw: unknown, path: Path, ctx: DecodeContext) => T | Invalid): Schema<T> {
  return {
    kind,
    decode(raw, path, ctx) {
      if (raw === undefined || raw === null) return undefined;
      if (typeof raw === 'object') {
        report(ctx, path, ErrorCodes.INVALID_TYPE, `expected ${kind}, got ${describeRaw(raw)}`);
        return INVALID;
      }
      return parse(raw, path, ctx);
    },
  };
}

export interface StringOptions {
  /** Reject the empty string. */
  readonly nonEmpty?: boolean;
  /** Extra validation; return a message to reject the value. */
  readonly check?: (value: string) => string | undefined;
}

export function str(options: StringOptions = {}): Schema<string> {
  return scalar('a string', (raw, path, ctx) => {
    const value = String(raw);
    if (options.nonEmpty === true && value.trim() === '') {
      report(ctx, path, ErrorCodes.INVALID_VALUE, 'must not be empty');
      return INVALID;
    }
    const problem = options.check?.(value);
    if (problem !== undefined) {
      report(ctx, path, ErrorCodes.INVALID_VALUE, problem);
      return INVALID;
    }
    return value;
  });
}

export interface NumberOptions {
  readonly min?: number;
  readonly max?: number;
}

function checkRange(value: number, options: NumberOptions, path: Path, ctx: DecodeContext): number | Invalid {
  if (options.min !== undefined && value < options.min) {
    report(ctx, path, ErrorCodes.INVALID_VALUE, `must be at least ${options.min}, got ${value}`);
    return INVALID;
  }
  if (options.max !== undefined && value > options.max) {
    report(ctx, path, ErrorCodes.INVALID_VALUE, `must be at most ${options.max}, got ${value}`);
    return INVALID;
  }
  return value;
}

export function int(options: NumberOptions = {}): Schema<number> {
  return scalar('an integer', (raw, path, ctx) => {
    const text = String(raw).trim();
    if (typeof raw === 'boolean' || !/^[+-]?\d+$/.test(text)) {
      report(ctx, path, ErrorCodes.INVALID_TYPE, `expected an integer, got ${describeRaw(raw)}`);
      return INVALID;
    }
    return checkRange(Number(text), options, path, ctx);
  });
}

export function num(options: NumberOptions = {}): Schema<number> {
  return scalar('a number', (raw, path, ctx) => {
    const text = String(raw).trim();
    const value = Number(text);
    if (typeof raw === 'boolean' || text === '' || !Number.isFinite(value)) {
      report(ctx, path, ErrorCodes.INVALID_TYPE, `expected a number, got ${describeRaw(raw)}`);
      return INVALID;
    }
    return checkRange(value, options, path, ctx);
  });
}

// The spellings Go's strconv.ParseBool accepts, which is what Traefik's label decoder uses.
const TRUE_WORDS = new Set(['1', 't', 'true']);
const FALSE_WORDS = new Set(['0', 'f', 'false']);

export function bool(): Schema<boolean> {
  return scalar('true or false', (raw, path, ctx) => {
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (TRUE_WORDS.has(text)) return true;
    if (FALSE_WORDS.has(text)) return false;
    report(ctx, path, ErrorCodes.INVALID_TYPE, `expected true or false, got ${describeRaw(raw)}`);
    return INVALID;
  });
}

/** A duration in milliseconds, written `10s`, `1m30s`, `250ms` or as bare seconds (`10`). */
export function duration(options: NumberOptions = {}): Schema<number> {
  return scalar('a duration', (raw, path, ctx) => {
    const value = typeof raw === 'boolean' ? undefined : parseDuration(typeof raw === 'number' ? raw : String(raw));
    if (value === undefined) {
      report(ctx, path, ErrorCodes.INVALID_TYPE, `expected a duration such as "10s", "1m30s" or a number of seconds, got ${describeRaw(raw)}`);
      return INVALID;
    }
    return checkRange(value, options, path, ctx);
  });
}

/**
 * One of a fixed set of words, matched case-insensitively; the canonical spelling is returned. Traefik's
 * enums (`clientAuthType`, `keyType`, `sameSite`...) are case-insensitive in practice.
 */
export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  const byLower = new Map(values.map((value) => [value.toLowerCase(), value]));
  return scalar(`one of ${values.join(', ')}`, (raw, path, ctx) => {
    const match = byLower.get(String(raw).trim().toLowerCase());
    if (match === undefined) {
      report(ctx, path, ErrorCodes.INVALID_VALUE, `expected one of ${values.map((v) => `"${v}"`).join(', ')}, got ${describeRaw(raw)}`);
      return INVALID;
    }
    return match;
  });
}

/** Any scalar kept as written (strings stay strings, numbers stay numbers); used for opaque values. */
export function anyScalar(): Schema<string | number | boolean> {
  return scalar('a value', (raw) => raw as string | number | boolean);
}
