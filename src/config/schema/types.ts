import type { ConfigIssue, ElementRef } from '../../errors/config-issue.js';
import type { ErrorCode } from '../../errors/codes.js';

/** One step in a path into configuration: an object key or a list index. */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/**
 * Where decoding is happening. One context is shared by a whole decode so that every issue is collected
 * (convention 1: list every problem at once).
 */
export interface DecodeContext {
  /**
   * True when values come from flat strings (Docker labels, environment variables, CLI flags): every scalar
   * is a string, and a list may be given as one comma-separated string.
   */
  readonly flat: boolean;
  /** Describes a path in the user's terms: a file and line, a label key on a container, a flag. */
  readonly where: (path: Path) => string;
  readonly issues: ConfigIssue[];
  /** The element being decoded; issues raised inside it are tagged with it (see `map`'s `element`). */
  element: ElementRef | undefined;
}

/** Returned by `decode` when the value is unusable; the reason has already been reported as an issue. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

/**
 * A schema decodes raw input (plain values from YAML, or strings from flat sources) into a typed value.
 * `undefined` means "absent" (for instance `tls=false` on a section that is enabled by `tls=true`).
 */
export interface Schema<T> {
  readonly kind: string;
  decode(raw: unknown, path: Path, ctx: DecodeContext): T | undefined | Invalid;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Creates a decode context. */
export function createContext(options: { flat: boolean; where: (path: Path) => string }): DecodeContext {
  return { flat: options.flat, where: options.where, issues: [], element: undefined };
}

/** Records an issue at `path`, tagged with the element being decoded, if any. */
export function report(
  ctx: DecodeContext,
  path: Path,
  code: ErrorCode,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  const issue: ConfigIssue = ctx.element === undefined
    ? { code, severity, where: ctx.where(path), message }
    : { code, severity, where: ctx.where(path), message, element: ctx.element };
  ctx.issues.push(issue);
}

/** Formats a path as the dotted key users write (`http.routers.web.tls.domains[0].main`). */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Describes a raw value's type for "expected X, got Y" messages. */
export function describeRaw(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a section';
  if (typeof raw === 'string') return `"${raw.length > 60 ? `${raw.slice(0, 57)}...` : raw}"`;
  return String(raw);
}

export function isRecord(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}
