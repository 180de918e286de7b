import type { DynamicConfig } from '../../config/dynamic/model.js';
import type { Path } from '../../config/schema/index.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue, ElementSection } from '../../errors/config-issue.js';
import { deepEqual } from '../../util/deep-equal.js';
import { ELEMENT_SECTIONS, describeSection, ensureSection, readSection } from '../../util/dynamic-sections.js';

/** One decoded file, ready to be merged with the others. */
export interface FilePart {
  readonly name: string;
  /** Names a key path in this file (`dynamic/app.yml:4: http.routers.web`). */
  readonly where: (path: Path) => string;
  readonly config: DynamicConfig;
  /** The issues found while decoding this file (used to know which broken elements it defined). */
  readonly issues: readonly ConfigIssue[];
}

/**
 * Merges the files of one file provider into one configuration, in the order given. The same name defined in
 * two files is kept from the first and reported on the second: Traefik's file provider does the same
 * (`ResourceStrategySkipDuplicates`, "already configured, skipping") but only logs it, in an order that
 * depends on the directory listing; here the order is the sorted file names and the warning is visible in
 * the API. An element whose definition was broken still counts as defined, so a broken first definition is
 * not silently replaced by a second one. TLS options and stores follow the same rule; certificates are
 * concatenated, exact repeats dropped.
 */
export function mergeFileConfigs(parts: readonly FilePart[]): { config: DynamicConfig; issues: ConfigIssue[] } {
  const config: DynamicConfig = {};
  const issues: ConfigIssue[] = [];
  for (const section of ELEMENT_SECTIONS) {
    const [protocol, kind] = section.split('.') as [string, string];
    mergeNamed(parts, issues, {
      label: describeSection(section),
      pathOf: (name) => [protocol, kind, name],
      read: (part) => readSection(part.config, section),
      brokenNames: (part) => brokenElements(part.issues, section),
      write: (name, value) => { ensureSection(config, section)[name] = value; },
      element: section,
    });
  }
  for (const kind of ['options', 'stores'] as const) {
    mergeNamed(parts, issues, {
      label: kind === 'options' ? 'TLS options' : 'TLS store',
      pathOf: (name) => ['tls', kind, name],
      read: (part) => part.config.tls?.[kind],
      brokenNames: () => [],
      write: (name, value) => {
        const tls = (config.tls ??= {});
        const named = (tls[kind] ??= Object.create(null) as Record<string, never>) as Record<string, unknown>;
        named[name] = value;
      },
    });
  }
  mergeCertificates(parts, config, issues);
  return { config, issues };
}

interface NamedSection {
  readonly label: string;
  readonly pathOf: (name: string) => Path;
  readonly read: (part: FilePart) => Readonly<Record<string, unknown>> | undefined;
  readonly brokenNames: (part: FilePart) => readonly string[];
  readonly write: (name: string, value: unknown) => void;
  readonly element?: ElementSection;
}

function mergeNamed(parts: readonly FilePart[], issues: ConfigIssue[], section: NamedSection): void {
  const firstSeen = new Map<string, FilePart>();
  for (const part of parts) {
    const values = section.read(part) ?? {};
    const names = new Set([...Object.keys(values), ...section.brokenNames(part)]);
    for (const name of names) {
      const first = firstSeen.get(name);
      if (first === undefined) {
        firstSeen.set(name, part);
        if (Object.hasOwn(values, name)) section.write(name, values[name]);
        continue;
      }
      const issue: ConfigIssue = {
        code: ErrorCodes.DUPLICATE_ELEMENT,
        severity: 'warning',
        where: part.where(section.pathOf(name)),
        message: `${section.label} "${name}" is also defined in ${first.where(section.pathOf(name))}; this definition is ignored (the first file in name order wins)`,
      };
      issues.push(section.element === undefined ? issue : { ...issue, element: { section: section.element, name } });
    }
  }
}

function brokenElements(issues: readonly ConfigIssue[], section: ElementSection): string[] {
  return issues.filter((issue) => issue.severity === 'error' && issue.element?.section === section).map((issue) => issue.element?.name ?? '');
}

function mergeCertificates(parts: readonly FilePart[], config: DynamicConfig, issues: ConfigIssue[]): void {
  for (const part of parts) {
    for (const [index, certificate] of (part.config.tls?.certificates ?? []).entries()) {
      const certificates = ((config.tls ??= {}).certificates ??= []);
      if (certificates.some((known) => deepEqual(known, certificate))) {
        issues.push({
          code: ErrorCodes.DUPLICATE_ELEMENT,
          severity: 'warning',
          where: part.where(['tls', 'certificates', index]),
          message: `this TLS certificate (${certificate.certFile}) is already listed; the repeat is ignored`,
        });
        continue;
      }
      certificates.push(certificate);
    }
  }
}
