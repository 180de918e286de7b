import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import type { FlatEntry } from '../schema/index.js';

/** The static-configuration entries of one flat source (flags, or the environment variables of one prefix). */
export interface FlatSource {
  readonly entries: FlatEntry[];
  readonly issues: ConfigIssue[];
  /** `--configFile` (or `<PREFIX>CONFIGFILE`): which file to read instead of searching the default locations. */
  readonly configFile?: { readonly path: string; readonly origin: string };
}

/** `configFile` selects the file; it is not a configuration key (Traefik's `--configFile` works the same way). */
const CONFIG_FILE_KEY = 'configfile';

/**
 * Reads CLI flags: `--entryPoints.web.address=:80`, bare `--api.insecure` or `--providers.docker` (= "true"),
 * comma-separated lists, `[n]` indexes. Values need `=`, except `--configFile path`: a flag cannot know whether
 * it takes a value, and a silently swallowed command name is worse than asking for `=`.
 */
export function flagEntries(argv: readonly string[]): FlatSource {
  const entries: FlatEntry[] = [];
  const issues: ConfigIssue[] = [];
  let configFile: FlatSource['configFile'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg.length === 2) {
      issues.push(flagIssue(`argument "${arg}"`, `unexpected argument "${arg}": static configuration flags look like --entryPoints.web.address=:80 (values need "=")`));
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const key = eq === -1 ? body : body.slice(0, eq);
    let value = eq === -1 ? undefined : body.slice(eq + 1);
    const origin = `flag --${key}`;
    if (key.toLowerCase() === CONFIG_FILE_KEY) {
      if (value === undefined && argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('--')) value = argv[++i];
      if (value === undefined || value.trim() === '') issues.push(flagIssue(origin, 'needs a file path: --configFile=/etc/berth/berth.yml'));
      else configFile = { path: value, origin };
      continue;
    }
    entries.push({ key, value: value ?? 'true', origin });
  }
  reportDuplicates(entries, issues);
  return configFile === undefined ? { entries, issues } : { entries, issues, configFile };
}

/**
 * Reads the environment variables with `prefix` (`BERTH_` or `TRAEFIK_`) with Traefik's mapping: the rest of the
 * name is lower-cased, every `_` becomes `.`, and a numeric segment is a list index
 * (`TRAEFIK_ENTRYPOINTS_WEB_HTTP_TLS_DOMAINS_0_MAIN` is `entrypoints.web.http.tls.domains[0].main`). As in
 * Traefik, a name that contains `_` (an entryPoint called `web_secure`) cannot be written this way.
 */
export function envEntries(env: Readonly<Record<string, string | undefined>>, prefix: string): FlatSource {
  const entries: FlatEntry[] = [];
  const issues: ConfigIssue[] = [];
  let configFile: FlatSource['configFile'];
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined || !name.startsWith(prefix)) continue;
    const origin = `environment variable ${name}`;
    const segments = name.slice(prefix.length).toLowerCase().split('_');
    if (segments.some((segment) => segment === '')) {
      issues.push(flagIssue(origin, `malformed name: after ${prefix}, write the key path with single "_" between names, as in ${prefix}ENTRYPOINTS_WEB_ADDRESS`));
      continue;
    }
    const parts: string[] = [];
    for (const segment of segments) {
      if (/^\d+$/.test(segment) && parts.length > 0) parts[parts.length - 1] += `[${segment}]`;
      else parts.push(segment);
    }
    const key = parts.join('.');
    if (key === CONFIG_FILE_KEY) {
      if (value.trim() === '') issues.push(flagIssue(origin, 'needs a file path'));
      else configFile = { path: value, origin };
      continue;
    }
    entries.push({ key, value, origin });
  }
  reportDuplicates(entries, issues);
  return configFile === undefined ? { entries, issues } : { entries, issues, configFile };
}

/** True when `env` holds any variable with one of the prefixes (which turns the embedded default off). */
export function hasPrefixedEnv(env: Readonly<Record<string, string | undefined>>, prefixes: readonly string[]): boolean {
  return Object.keys(env).some((name) => env[name] !== undefined && prefixes.some((prefix) => name.startsWith(prefix)));
}

/** The same key twice in one source is a mistake (a list is written `a,b`, not as two flags); both are named. */
function reportDuplicates(entries: FlatEntry[], issues: ConfigIssue[]): void {
  const seen = new Map<string, FlatEntry>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as FlatEntry;
    const key = entry.key.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, entry);
      continue;
    }
    issues.push({
      code: ErrorCodes.DUPLICATE_KEY,
      severity: 'error',
      where: entry.origin,
      message: `"${entry.key}" is also set by ${first.origin}; keys are case-insensitive and a list is written as one comma-separated value`,
    });
    entries.splice(i--, 1);
  }
}

function flagIssue(where: string, message: string): ConfigIssue {
  return { code: ErrorCodes.INVALID_FLAG, severity: 'error', where, message };
}
