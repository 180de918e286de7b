import type { ErrorCode } from './codes.js';

/** The sections of dynamic configuration whose entries are named elements with a status of their own. */
export type ElementSection =
  | 'http.routers'
  | 'http.services'
  | 'http.middlewares'
  | 'http.serversTransports'
  | 'tcp.routers'
  | 'tcp.services'
  | 'tcp.middlewares'
  | 'tcp.serversTransports'
  | 'udp.routers'
  | 'udp.services';

/** Names the dynamic element an issue belongs to; `name` is qualified (`web@docker`) once merged. */
export interface ElementRef {
  readonly section: ElementSection;
  readonly name: string;
}

/**
 * One problem found in configuration. `where` says where it came from in words a user can act on:
 * `label traefik.http.routers.web.rule on container web-1`, `dynamic/app.yml:12: http.routers.web.rule`,
 * `flag --entryPoints.web.adress`. An `error` disables the element it belongs to (or stops start-up for
 * static configuration); a `warning` leaves it serving.
 */
export interface ConfigIssue {
  readonly code: ErrorCode;
  readonly severity: 'error' | 'warning';
  readonly where: string;
  readonly message: string;
  readonly element?: ElementRef;
}

/** Formats an issue the way the CLI and logs print it: `where: message [CODE]`. */
export function formatIssue(issue: ConfigIssue): string {
  const level = issue.severity === 'error' ? 'error' : 'warning';
  return `${level}: ${issue.where}: ${issue.message} [${issue.code}]`;
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}
