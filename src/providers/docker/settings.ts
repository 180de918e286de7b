import type { DockerProviderSettings } from '../../config/static/providers.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import { compileConstraints, type Constraint } from './constraints.js';
import { compileRuleTemplate, type RuleTemplate } from './default-rule.js';

/** `providers.docker` with its expressions compiled once. */
export interface CompiledDockerSettings {
  readonly settings: DockerProviderSettings;
  readonly constraint: Constraint;
  readonly defaultRule: RuleTemplate;
}

export type CompiledSettingsResult = { ok: true; compiled: CompiledDockerSettings } | { ok: false; issues: ConfigIssue[] };

const cache = new WeakMap<DockerProviderSettings, CompiledSettingsResult>();

/**
 * Compiles `constraints` and `defaultRule`. A broken one is a provider-level error: no container can be judged
 * or routed without it, so the provider publishes nothing but the error (Traefik logs it once per container).
 */
export function compileDockerSettings(settings: DockerProviderSettings): CompiledSettingsResult {
  const cached = cache.get(settings);
  if (cached !== undefined) return cached;
  const issues: ConfigIssue[] = [];
  const constraints = compileConstraints(settings.constraints ?? '');
  if (!constraints.ok) issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'error', where: 'providers.docker.constraints', message: constraints.message });
  const rule = compileRuleTemplate(settings.defaultRule);
  if (!rule.ok) issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'error', where: 'providers.docker.defaultRule', message: rule.message });
  const result: CompiledSettingsResult = constraints.ok && rule.ok
    ? { ok: true, compiled: { settings, constraint: constraints.match, defaultRule: rule.render } }
    : { ok: false, issues };
  cache.set(settings, result);
  return result;
}

/** The problems in `providers.docker` that only the provider can see; static validation reports them at start-up. */
export function checkDockerSettings(settings: DockerProviderSettings): ConfigIssue[] {
  const result = compileDockerSettings(settings);
  return result.ok ? [] : result.issues;
}
