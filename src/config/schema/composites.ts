import type { ElementSection } from '../../errors/config-issue.js';
import { ErrorCodes } from '../../errors/codes.js';
import { didYouMean } from '../../util/suggest.js';
import {
  INVALID,
  describeRaw,
  isRecord,
  report,
  type DecodeContext,
  type Infer,
  type Invalid,
  type Path,
  type Schema,
} from './types.js';

// ---------------------------------------------------------------------------------------------------------
// Fields: how an object member behaves when it is absent.

type Presence = 'required' | 'optional' | 'default';

/** A schema with presence rules attached; a bare Schema in an `obj` is a required field. */
export interface Field<T, P extends Presence = Presence> {
  readonly field: true;
  readonly schema: Schema<T>;
  readonly presence: P;
  readonly fallback?: () => T;
  /** Other spellings accepted for this key (Traefik's deprecated names). */
  readonly aliases?: readonly string[];
  /** Set when the key is deprecated: a warning with this text is reported whenever it is used. */
  readonly deprecated?: string;
}

interface FieldOptions {
  readonly aliases?: readonly string[];
  readonly deprecated?: string;
}

/** A member that may be left out; its key is absent from the decoded object. */
export function optional<T>(schema: Schema<T>, options: FieldOptions = {}): Field<T, 'optional'> {
  return { field: true, schema, presence: 'optional', ...options };
}

/** A member with a default value (the decoded type), used when the key is absent. */
export function withDefault<T>(schema: Schema<T>, value: T, options: FieldOptions = {}): Field<T, 'default'> {
  return { field: true, schema, presence: 'default', fallback: () => structuredClone(value), ...options };
}

/** A section that is always present: when absent it is decoded from `{}`, so its own defaults apply. */
export function always<T>(schema: Schema<T>, options: FieldOptions = {}): Field<T, 'default'> {
  return {
    field: true,
    schema,
    presence: 'default',
    fallback: () => {
      const silent: DecodeContext = { flat: false, where: () => '', issues: [], element: undefined };
      const value = schema.decode({}, [], silent);
      if (value === undefined || value === INVALID) throw new Error(`schema ${schema.kind} has no complete default`);
      return value;
    },
    ...options,
  };
}

type AnyField = Schema<any> | Field<any, Presence>;
type FieldsSpec = Record<string, AnyField>;
type FieldValue<F> = F extends Field<infer T, Presence> ? T : F extends Schema<infer T> ? T : never;
type IsOptional<F> = F extends Field<any, 'optional'> ? true : false;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type ObjectOf<F extends FieldsSpec> = Simplify<
  { [K in keyof F as IsOptional<F[K]> extends true ? never : K]: FieldValue<F[K]> } & {
    [K in keyof F as IsOptional<F[K]> extends true ? K : never]?: FieldValue<F[K]>;
  }
>;

function asField(spec: AnyField): Field<unknown> {
  return 'field' in spec ? (spec as Field<unknown>) : { field: true, schema: spec as Schema<unknown>, presence: 'required' };
}

// ---------------------------------------------------------------------------------------------------------
// Objects.

export interface ObjectOptions<T> {
  /**
   * Traefik's "allowEmpty" sections (`tls`, `sticky.cookie`, `compress`...): the value `true` creates the
   * section with its defaults, `false` leaves it absent.
   */
  readonly allowEmpty?: boolean;
  /** Cross-field validation after the members decoded; report problems with `fail`. */
  readonly check?: (value: T, fail: (message: string, key?: string) => void) => void;
}

export interface ObjectSchema<T> extends Schema<T> {
  readonly fields: Readonly<Record<string, Field<unknown>>>;
}

/**
 * A section with known keys, matched case-insensitively as Traefik does. Unknown keys are reported with
 * the nearest valid key; every member is decoded so that all problems are reported at once.
 */
export function obj<F extends FieldsSpec>(spec: F, options: ObjectOptions<ObjectOf<F>> = {}): ObjectSchema<ObjectOf<F>> {
  const fields: Record<string, Field<unknown>> = {};
  const byLower = new Map<string, string>();
  for (const [name, member] of Object.entries(spec)) {
    const field = asField(member);
    fields[name] = field;
    byLower.set(name.toLowerCase(), name);
    for (const alias of field.aliases ?? []) byLower.set(alias.toLowerCase(), name);
  }
  const names = Object.keys(fields);

  return {
    kind: 'a section',
    fields,
    decode(raw, path, ctx) {
      let input: unknown = raw;
      if (raw === undefined) return undefined;
      if (raw === null) input = {};
      if (options.allowEmpty === true && !isRecord(input)) {
        const text = String(input).trim().toLowerCase();
        if (input === true || text === 'true' || text === '') input = {};
        else if (input === false || text === 'false') return undefined;
      }
      if (!isRecord(input)) {
        report(ctx, path, ErrorCodes.INVALID_TYPE, `expected a section with keys such as ${names.slice(0, 4).map((n) => `"${n}"`).join(', ')}, got ${describeRaw(input)}`);
        return INVALID;
      }

      // Map each input key onto a field, case-insensitively.
      const given = new Map<string, { key: string; value: unknown }>();
      for (const [key, value] of Object.entries(input)) {
        const name = byLower.get(key.toLowerCase());
        if (name === undefined) {
          report(ctx, [...path, key], ErrorCodes.UNKNOWN_KEY, `unknown key "${key}"${didYouMean(key, names)}`);
          continue;
        }
        const previous = given.get(name);
        if (previous !== undefined) {
          report(ctx, [...path, key], ErrorCodes.DUPLICATE_KEY, `"${key}" is given twice (also as "${previous.key}"); keys are case-insensitive`);
          continue;
        }
        given.set(name, { key, value });
      }

      const out: Record<string, unknown> = {};
      let invalid = false;
      for (const name of names) {
        const field = fields[name] as Field<unknown>;
        const entry = given.get(name);
        const memberPath = [...path, entry?.key ?? name];
        const decoded = entry === undefined ? undefined : field.schema.decode(entry.value, memberPath, ctx);
        if (entry !== undefined && field.deprecated !== undefined) {
          report(ctx, memberPath, ErrorCodes.INVALID_VALUE, `"${entry.key}" is deprecated: ${field.deprecated}`, 'warning');
        }
        if (decoded === INVALID) {
          if (field.presence === 'required') invalid = true;
          continue;
        }
        if (decoded !== undefined) {
          out[name] = decoded;
        } else if (field.presence === 'default' && field.fallback !== undefined) {
          out[name] = field.fallback();
        } else if (field.presence === 'required') {
          report(ctx, memberPath, ErrorCodes.MISSING_VALUE, `"${name}" is required`);
          invalid = true;
        }
      }
      if (invalid) return INVALID;

      const value = out as ObjectOf<F>;
      if (options.check !== undefined) {
        let failed = false;
        options.check(value, (message, key) => {
          failed = true;
          report(ctx, key === undefined ? path : [...path, key], ErrorCodes.INVALID_VALUE, message);
        });
        if (failed) return INVALID;
      }
      return value;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Maps of user-named entries.

export interface MapOptions {
  /** Entries are dynamic elements of this section: their issues are tagged, and a broken entry is dropped alone. */
  readonly element?: ElementSection;
  /** Validates an entry name; return a message to reject it. */
  readonly checkKey?: (key: string) => string | undefined;
}

/**
 * A section whose keys are names chosen by the user (routers, entryPoints, header names). The result has no
 * prototype, so a key such as `__proto__` from a label cannot reach Object.prototype.
 */
export function map<T>(value: Schema<T>, options: MapOptions = {}): Schema<Record<string, T>> {
  return {
    kind: 'a section of named entries',
    decode(raw, path, ctx) {
      if (raw === undefined) return undefined;
      const input = raw === null ? {} : raw;
      if (!isRecord(input)) {
        report(ctx, path, ErrorCodes.INVALID_TYPE, `expected a section of named entries, got ${describeRaw(input)}`);
        return INVALID;
      }
      const out = Object.create(null) as Record<string, T>;
      for (const [key, entry] of Object.entries(input)) {
        const entryPath = [...path, key];
        const outer = ctx.element;
        if (options.element !== undefined) ctx.element = { section: options.element, name: key };
        try {
          const keyProblem = options.checkKey?.(key);
          if (keyProblem !== undefined) {
            report(ctx, entryPath, ErrorCodes.INVALID_VALUE, keyProblem);
            continue;
          }
          const errorsBefore = countErrors(ctx);
          const decoded = value.decode(entry, entryPath, ctx);
          // An element with any error is dropped alone; the rest of the section keeps serving.
          const broken = options.element !== undefined && countErrors(ctx) > errorsBefore;
          if (decoded !== INVALID && decoded !== undefined && !broken) out[key] = decoded;
        } finally {
          ctx.element = outer;
        }
      }
      return out;
    },
  };
}

function countErrors(ctx: DecodeContext): number {
  let count = 0;
  for (const issue of ctx.issues) if (issue.severity === 'error') count++;
  return count;
}

/** The check Traefik applies to element names: `@` separates a name from its provider. */
export function elementName(key: string): string | undefined {
  if (key.trim() === '') return 'an element name must not be empty';
  if (key.includes('@')) return `"${key}": "@" is not allowed in a name (it separates the name from the provider, as in "web@docker")`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Lists.

/**
 * A list. From flat sources a single string is split on commas (`entrypoints=web,websecure`), as Traefik's
 * label decoder does, and `key[0]`, `key[1]` entries arrive as an object with numeric keys. In YAML a single
 * scalar is taken as a one-element list.
 */
export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    kind: 'a list',
    decode(raw, path, ctx) {
      if (raw === undefined) return undefined;
      if (raw === null) return [];
      let items: Array<[number, unknown]>;
      if (Array.isArray(raw)) {
        items = raw.map((value, index) => [index, value]);
      } else if (isRecord(raw)) {
        const keys = Object.keys(raw);
        if (!keys.every((key) => /^\d+$/.test(key))) {
          report(ctx, path, ErrorCodes.INVALID_TYPE, `expected a list, got ${describeRaw(raw)}`);
          return INVALID;
        }
        items = keys.map((key) => [Number(key), raw[key]] as [number, unknown]).sort((a, b) => a[0] - b[0]);
      } else if (ctx.flat && typeof raw === 'string') {
        const parts = raw.split(',').map((part) => part.trim()).filter((part) => part !== '');
        items = parts.map((part, index) => [index, part]);
      } else {
        items = [[0, raw]];
      }
      const out: T[] = [];
      let invalid = false;
      for (const [index, value] of items) {
        const decoded = item.decode(value, [...path, index], ctx);
        if (decoded === INVALID) invalid = true;
        else if (decoded !== undefined) out.push(decoded);
      }
      return invalid ? INVALID : out;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// "Exactly one of these keys": middleware and service kinds.

type OneKeyOf<F extends Record<string, Schema<any>>> = {
  [K in keyof F]: { [P in K]: Infer<F[P]> };
}[keyof F];

export interface OneOfKeysSchema<T> extends Schema<T> {
  readonly kinds: readonly string[];
}

/**
 * A section that must hold exactly one of the given keys, each a kind with its own options: a Middleware
 * is `{ stripPrefix: {...} }`, a Service `{ loadBalancer: {...} }`. Traefik rejects two kinds in one element
 * ("multi-types middleware not supported"), and so do we. `common` members may stand beside any kind.
 */
export function oneOfKeys<F extends Record<string, Schema<any>>, C extends FieldsSpec = {}>(
  what: string,
  kinds: F,
  common?: C,
): OneOfKeysSchema<OneKeyOf<F> & ObjectOf<C>> {
  const names = Object.keys(kinds);
  const commonNames = new Set(Object.keys(common ?? {}).map((name) => name.toLowerCase()));
  const inner = obj({
    ...Object.fromEntries(names.map((name) => [name, optional(kinds[name] as Schema<unknown>)])),
    ...(common ?? {}),
  } as FieldsSpec);
  return {
    kind: `a ${what}`,
    kinds: names,
    decode(raw, path, ctx) {
      if (raw === undefined) return undefined;
      const decoded = inner.decode(raw, path, ctx) as Record<string, unknown> | undefined | Invalid;
      if (decoded === INVALID || decoded === undefined) return decoded;
      const present = Object.keys(decoded).filter((key) => !commonNames.has(key.toLowerCase()));
      const givenKeys = isRecord(raw) ? Object.keys(raw).filter((key) => !commonNames.has(key.toLowerCase())) : [];
      if (present.length === 1) return decoded as OneKeyOf<F> & ObjectOf<C>;
      if (present.length === 0) {
        // When the only keys given were unknown or invalid, that was reported already.
        if (givenKeys.length === 0) {
          report(ctx, path, ErrorCodes.MISSING_VALUE, `a ${what} needs a type, one of: ${names.join(', ')}`);
        }
        return INVALID;
      }
      report(ctx, path, ErrorCodes.CONFLICTING_KEYS, `a ${what} has exactly one type, but ${present.map((k) => `"${k}"`).join(' and ')} are both set; split them into separate ${what}s`);
      return INVALID;
    },
  };
}

/** Any value, kept as given (plugin options, which Berth reports as unsupported but must still parse). */
export function opaque(): Schema<unknown> {
  return { kind: 'any value', decode: (raw) => raw };
}

// ---------------------------------------------------------------------------------------------------------
// Escape hatches.

/** Runs extra validation or a transformation after `schema` decoded successfully. */
export function refine<T, U = T>(
  schema: Schema<T>,
  transform: (value: T, fail: (message: string) => Invalid, path: Path, ctx: DecodeContext) => U | Invalid,
): Schema<U> {
  return {
    kind: schema.kind,
    decode(raw, path, ctx) {
      const value = schema.decode(raw, path, ctx);
      if (value === INVALID) return INVALID;
      if (value === undefined) return undefined;
      return transform(value, (message) => {
        report(ctx, path, ErrorCodes.INVALID_VALUE, message);
        return INVALID;
      }, path, ctx);
    },
  };
}

/** A key that Traefik v3 removed: using it is reported with what to do instead, and its value is ignored. */
export function removed(advice: string, severity: 'error' | 'warning' = 'warning'): Field<never, 'optional'> {
  return optional<never>({
    kind: 'a removed option',
    decode(raw, path, ctx) {
      if (raw !== undefined) report(ctx, path, ErrorCodes.UNKNOWN_KEY, `this option was removed in Traefik v3 and is ignored: ${advice}`, severity);
      return undefined;
    },
  });
}
