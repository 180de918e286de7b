import { formatIssue, type ConfigIssue, type ElementSection } from '../errors/config-issue.js';

export type ElementStatus = 'enabled' | 'warning' | 'disabled';

/**
 * What the runtime made of one dynamic element: its configuration, whether it serves, and why not. The API
 * serves these as Traefik's `/api/http/routers/{name}` objects (`status`, `error`, `using`, `usedBy`).
 */
export interface ElementInfo {
  /** Qualified name, `web@docker`. */
  readonly name: string;
  readonly provider: string;
  readonly section: ElementSection;
  status: ElementStatus;
  /** Everything wrong with the element, from its provider (labels, YAML) and from compile (references, rules). */
  readonly issues: ConfigIssue[];
  /** The element's configuration as merged (absent for an element its provider could not decode at all). */
  readonly config: unknown;
  /** Routers: the entrypoints it is attached to. */
  using?: string[];
  /** Services and middlewares: the routers (and services) that refer to it. */
  usedBy?: string[];
}

/** The status of every element of one RuntimeGraph, plus issues that belong to no element. */
export interface RuntimeStatus {
  readonly generation: number;
  readonly elements: ReadonlyMap<string, ElementInfo>;
  /** Issues not tied to an element (a YAML syntax error, an unknown top-level key). */
  readonly issues: readonly ConfigIssue[];
}

/** The key of an element in `RuntimeStatus.elements`: `http.routers/web@docker`. */
export function elementKey(section: ElementSection, name: string): string {
  return `${section}/${name}`;
}

/** Adds an issue to an element and lowers its status accordingly; errors disable, warnings warn. */
export function addIssue(info: ElementInfo, issue: ConfigIssue): void {
  info.issues.push(issue);
  if (issue.severity === 'error') info.status = 'disabled';
  else if (info.status === 'enabled') info.status = 'warning';
}

/**
 * The issues of `next` that `previous` did not have (all of them without a previous status), compared by their
 * printed form: what a reload should log, once, rather than every standing problem again on every change.
 */
export function newIssues(previous: RuntimeStatus | undefined, next: RuntimeStatus): ConfigIssue[] {
  const all = (status: RuntimeStatus): ConfigIssue[] => [...status.issues, ...[...status.elements.values()].flatMap((info) => info.issues)];
  const known = new Set(previous === undefined ? [] : all(previous).map(formatIssue));
  return all(next).filter((issue) => !known.has(formatIssue(issue)));
}
