/**
 * Loads Berth's static configuration from a YAML file, environment variables and CLI flags.
 *
 * DIFFERENCE FROM TRAEFIK, ON PURPOSE: Traefik uses exactly one source, the first that yields anything (file,
 * then flags, then environment), and silently ignores the others, so a traefik.yml found in a default location
 * makes every flag and variable vanish. Berth MERGES the three, key by key, with the precedence
 *
 *     CLI flags  >  environment (BERTH_* > TRAEFIK_*)  >  configuration file
 *
 * so a flag or a variable overrides one key of the file and keeps the rest. The merged tree is decoded once, so
 * every problem is reported once, all at once, naming its source (`flag --entryPoints.web.adress`,
 * `environment variable BERTH_ENTRYPOINTS_WEB_ADRESS`, `berth.yml:3: entryPoints.web.adress`).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { ErrorCodes } from '../../errors/codes.js';
import { hasErrors, type ConfigIssue } from '../../errors/config-issue.js';
import { deepFreeze } from '../../util/deep-freeze.js';
import { INVALID, createContext, formatPath, isRecord, unflatten, type Path } from '../schema/index.js';
import { parseYamlSource } from '../schema/yaml-source.js';
import { applyEffectiveConfiguration } from './effective.js';
import { EMBEDDED_ADDRESS_KEYS, EMBEDDED_SOURCE_NAME, EMBEDDED_WHOAMI_KEY, embeddedStaticYaml } from './embedded-default.js';
import { mergeLayers, type ConfigLayer } from './merge.js';
import { staticConfigSchema, type StaticConfig } from './schema.js';
import { envEntries, flagEntries, type FlatSource } from './sources.js';

export interface StaticConfigInput {
  /** The static-configuration flags (`parseCommandLine(...).args`), without the command. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative file paths (`--configFile`, `./berth.yml`) are resolved against this directory. */
  readonly cwd: string;
  /** Returns a file's text, or undefined when it does not exist or cannot be read. */
  readonly readFile: (path: string) => string | undefined;
}

export interface StaticConfigSource {
  /** The configuration file read, as shown in messages; absent when none was. */
  readonly file?: string;
  /** True when nothing was configured and the embedded default configuration is running. */
  readonly embeddedDefault: boolean;
}

export type StaticConfigResult =
  | { readonly ok: true; readonly config: StaticConfig; readonly warnings: ConfigIssue[]; readonly source: StaticConfigSource }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/** The default file locations, searched in this order when `--configFile` is not given. */
export const DEFAULT_CONFIG_FILES: readonly string[] = [
  './berth.yml', './berth.yaml', '/etc/berth/berth.yml', '/etc/berth/berth.yaml',
  './traefik.yml', './traefik.yaml', '/etc/traefik/traefik.yml', '/etc/traefik/traefik.yaml',
];
// Only looked for to explain why they are not read.
const TOML_CANDIDATES = ['./berth.toml', '/etc/berth/berth.toml', './traefik.toml', '/etc/traefik/traefik.toml'];

const ENV_PREFIXES = ['TRAEFIK_', 'BERTH_'] as const;

/** Reads, merges, validates and freezes the static configuration; never throws for bad configuration. */
export function loadStaticConfig(input: StaticConfigInput): StaticConfigResult {
  const issues: ConfigIssue[] = [];
  const flags = flagEntries(input.argv);
  const [traefikEnv, berthEnv] = ENV_PREFIXES.map((prefix) => envEntries(input.env, prefix)) as [FlatSource, FlatSource];
  issues.push(...flags.issues, ...traefikEnv.issues, ...berthEnv.issues);

  const chosen = flags.configFile ?? berthEnv.configFile ?? traefikEnv.configFile;
  const file = readConfigFile(chosen, input, issues);
  // Moving the demo (its whoami address, and its entrypoints' addresses) keeps the embedded default; anything
  // else configures Berth. An entrypoint address alone (`--entryPoints.web.address=:80`) is a configuration.
  const entries = [flags, traefikEnv, berthEnv].flatMap((source) => source.entries.map((entry) => entry.key.toLowerCase()));
  const movesDemo = entries.includes(EMBEDDED_WHOAMI_KEY) && entries.every((key) => EMBEDDED_ADDRESS_KEYS.has(key));
  const embeddedDefault = file === undefined && chosen === undefined && flags.issues.length === 0 && (entries.length === 0 || movesDemo);

  // Weakest first: file < TRAEFIK_ environment < BERTH_ environment < flags.
  const layers: ConfigLayer[] = [];
  if (embeddedDefault) {
    const layer = yamlLayer(embeddedStaticYaml(), EMBEDDED_SOURCE_NAME, issues);
    if (layer !== undefined) layers.push(layer);
  } else if (file?.layer !== undefined) {
    layers.push(file.layer);
  }
  for (const source of [traefikEnv, berthEnv, flags]) {
    const flat = unflatten(source.entries);
    issues.push(...flat.issues);
    layers.push({ tree: flat.tree, where: nearestEntry(flat.where) });
  }

  const merged = mergeLayers(layers);
  // One decode in flat mode, because flags and variables are strings: a comma-separated string is accepted
  // where a list is expected, in the file too (a harmless leniency next to Traefik's YAML decoder).
  const ctx = createContext({ flat: true, where: merged.where });
  const decoded = staticConfigSchema.decode(merged.tree, [], ctx);
  issues.push(...ctx.issues);
  if (decoded === INVALID || decoded === undefined || hasErrors(issues)) {
    return { ok: false, issues: sortIssues(issues) };
  }
  applyEffectiveConfiguration(decoded, merged.where, issues);
  if (hasErrors(issues)) return { ok: false, issues: sortIssues(issues) };
  const source: StaticConfigSource = file === undefined ? { embeddedDefault } : { file: file.name, embeddedDefault };
  return { ok: true, config: deepFreeze(decoded), warnings: issues, source };
}

/** Errors first, then warnings; each group in the order found. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues.filter((i) => i.severity === 'error'), ...issues.filter((i) => i.severity !== 'error')];
}

interface FoundFile {
  readonly name: string;
  /** Undefined when the file is unusable (YAML syntax, TOML); the reasons are in the issues. */
  readonly layer: ConfigLayer | undefined;
}

/**
 * Reads the chosen file, or the first existing default location; problems go to `issues`. Returns undefined
 * only when no file was found, which is when the embedded default may apply.
 */
function readConfigFile(chosen: FlatSource['configFile'], input: StaticConfigInput, issues: ConfigIssue[]): FoundFile | undefined {
  const fileIssue = (where: string, message: string): void => {
    issues.push({ code: ErrorCodes.CONFIG_FILE, severity: 'error', where, message });
  };
  const toml = (name: string): void => fileIssue(name, 'TOML is not supported; convert it to YAML (same keys, e.g. berth.yml or traefik.yml)');

  let candidates: readonly string[];
  if (chosen !== undefined) {
    if (/\.toml$/i.test(chosen.path)) {
      toml(`${chosen.origin}=${chosen.path}`);
      return undefined;
    }
    candidates = [chosen.path];
  } else {
    candidates = DEFAULT_CONFIG_FILES;
  }
  for (const candidate of candidates) {
    const path = resolve(input.cwd, candidate);
    const text = input.readFile(path);
    if (text === undefined) continue;
    const name = displayName(path, input.cwd);
    return { name, layer: yamlLayer(text, name, issues) };
  }
  if (chosen !== undefined) {
    fileIssue(`${chosen.origin}=${chosen.path}`, `the configuration file ${resolve(input.cwd, chosen.path)} does not exist or cannot be read`);
    return undefined;
  }
  // A Traefik user's traefik.toml would otherwise be skipped silently in favour of defaults.
  const tomlFile = TOML_CANDIDATES.map((candidate) => resolve(input.cwd, candidate)).find((path) => input.readFile(path) !== undefined);
  if (tomlFile === undefined) return undefined;
  const name = displayName(tomlFile, input.cwd);
  toml(name);
  return { name, layer: undefined };
}

/** Parses one YAML document into a layer; undefined (with issues) when it is not a YAML mapping. */
function yamlLayer(text: string, name: string, issues: ConfigIssue[]): ConfigLayer | undefined {
  const yaml = parseYamlSource(text, name);
  issues.push(...yaml.issues);
  if (yaml.issues.length > 0) return undefined;
  const value: unknown = yaml.value ?? {};
  if (!isRecord(value)) {
    issues.push({ code: ErrorCodes.CONFIG_FILE, severity: 'error', where: name, message: 'expected a YAML mapping of sections such as "entryPoints" and "providers"' });
    return undefined;
  }
  return { tree: value, where: (path: Path) => yaml.where(path) };
}

/**
 * For a path no entry sets (a required key missing from a section), names an entry of the nearest enclosing
 * section instead of printing a bare key path that no source holds.
 */
function nearestEntry(where: (path: Path) => string): (path: Path) => string {
  return (path) => {
    for (let length = path.length; length > 0; length--) {
      const prefix = path.slice(0, length);
      const found = where(prefix);
      if (found !== formatPath(prefix)) return found;
    }
    return formatPath(path);
  };
}

/** A file inside the working directory is named relative to it (`berth.yml`), any other by its absolute path. */
function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
