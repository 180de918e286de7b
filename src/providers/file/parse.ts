import { dynamicConfigSchema, type DynamicConfig } from '../../config/dynamic/model.js';
import { INVALID, createContext } from '../../config/schema/index.js';
import { parseYamlSource } from '../../config/schema/yaml-source.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import { collectOrigins, type ElementOrigins } from '../origins.js';
import { mergeFileConfigs, type FilePart } from './merge-files.js';
import { renderTemplate, type TemplateEnv } from './template.js';

/** One dynamic configuration file: its name as the user knows it (`dynamic/app.yml`) and its text. */
export interface DynamicFile {
  readonly name: string;
  readonly text: string;
}

export interface ParseOptions {
  /** What `{{ env "NAME" }}` reads. Parsing is pure, so the caller passes `process.env`; default: empty. */
  readonly env?: TemplateEnv;
}

export interface ParsedDynamicFiles {
  /**
   * The merged configuration, or undefined when any file could not be read as YAML or as a template: then the
   * provider's previous configuration stays in force, as in Traefik (reference §9, traefik#10890).
   */
  readonly config?: DynamicConfig;
  readonly issues: ConfigIssue[];
  /** The rendered text of every file that held template actions (for `debugLogGeneratedTemplate`). */
  readonly rendered: DynamicFile[];
  /** Where each element was written (file and line), for compile-time errors. */
  readonly origins: ElementOrigins;
}

/**
 * Turns the files of a file provider into one dynamic configuration. Each file is rendered (template.ts),
 * parsed as YAML and decoded with the dynamic model: an unknown key or a bad value disables only the element
 * it is in, with a `file:line: key.path` location. Files are merged in path order, compared segment by
 * segment, which is the order Traefik walks a directory (`a/x.yml` before `a.yml`).
 */
export function parseDynamicFiles(files: ReadonlyArray<DynamicFile>, options: ParseOptions = {}): ParsedDynamicFiles {
  const env = options.env ?? {};
  const issues: ConfigIssue[] = [];
  const rendered: DynamicFile[] = [];
  const parts: FilePart[] = [];
  const origins: Record<string, Record<string, string>> = {};
  let unusable = false;
  for (const file of [...files].sort((a, b) => comparePaths(a.name, b.name))) {
    const template = renderTemplate(file.text, file.name, env);
    issues.push(...template.issues);
    if (template.text === undefined) {
      unusable = true;
      continue;
    }
    if (template.templated) rendered.push({ name: file.name, text: template.text });
    const source = parseYamlSource(template.text, file.name);
    if (source.issues.length > 0) {
      issues.push(...source.issues);
      unusable = true;
      continue;
    }
    const ctx = createContext({ flat: false, where: source.where });
    const decoded = dynamicConfigSchema.decode(source.value, [], ctx);
    issues.push(...ctx.issues);
    if (decoded !== INVALID && decoded !== undefined) collectOrigins(decoded, source.where, origins);
    parts.push({ name: file.name, where: source.where, config: decoded === INVALID || decoded === undefined ? {} : decoded, issues: ctx.issues });
  }
  const merged = mergeFileConfigs(parts);
  issues.push(...merged.issues);
  return unusable ? { issues, rendered, origins } : { config: merged.config, issues, rendered, origins };
}

/** Orders paths directory by directory, so a folder's files come where the folder's name sorts. */
export function comparePaths(a: string, b: string): number {
  const left = a.split(/[\\/]/);
  const right = b.split(/[\\/]/);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
