import { ErrorCodes } from '../../errors/codes.js';
import { bool, int, list, obj, oneOf, optional, report, str, type Infer, type Schema } from '../schema/index.js';

/** One certificate request: `main` plus optional SANs (wildcards need DNS-01). */
export const domainSchema = obj({
  main: str({ nonEmpty: true }),
  sans: optional(list(str({ nonEmpty: true }))),
});
export type Domain = Infer<typeof domainSchema>;

/** A router's `tls` section; `tls: {}` (or the label `tls=true`) turns TLS on with defaults. */
export const routerTlsSchema = obj({
  options: optional(str({ nonEmpty: true })),
  certResolver: optional(str({ nonEmpty: true })),
  domains: optional(list(domainSchema)),
}, { allowEmpty: true });
export type RouterTls = Infer<typeof routerTlsSchema>;

export const observabilitySchema = obj({
  accessLogs: optional(bool()),
  metrics: optional(bool()),
  tracing: optional(bool()),
  traceVerbosity: optional(oneOf(['minimal', 'detailed'])),
});

/**
 * Traefik's hidden `DefaultRule` flag: the Docker provider sets it on a router whose rule is the provider's default
 * rule, and such a router answers 400 to a request that already went through it (runtime/compile/
 * deny-router-recursion.ts), since Berth's own container can match its own default rule. Like Traefik's, it cannot
 * be written in files or labels; unlike Traefik's, it is shown in the API, to explain those 400s.
 */
const providerSetDefaultRule: Schema<true> = {
  kind: 'a flag set by the Docker provider',
  decode(raw, path, ctx) {
    if (raw !== undefined) report(ctx, path, ErrorCodes.UNKNOWN_KEY, '"defaultRule" is set by the Docker provider on routers that use its default rule and cannot be configured; remove it');
    return undefined;
  },
};

/**
 * An HTTP Router. `rule` and `service` are optional here because the Docker provider fills them in (default
 * rule, auto-linked service); a router that still lacks them is disabled at compile time with a clear error.
 */
export const httpRouterSchema = obj({
  rule: optional(str({ nonEmpty: true })),
  ruleSyntax: optional(oneOf(['v2', 'v3']), { deprecated: 'only the v3 rule syntax is supported' }),
  entryPoints: optional(list(str({ nonEmpty: true }))),
  middlewares: optional(list(str({ nonEmpty: true }))),
  service: optional(str({ nonEmpty: true })),
  // Priorities reach MaxInt64-1000 in Traefik; beyond 2^53 they compare approximately, which is harmless.
  priority: optional(int()),
  tls: optional(routerTlsSchema),
  observability: optional(observabilitySchema),
  defaultRule: optional(providerSetDefaultRule),
});
export type HttpRouterConfig = Infer<typeof httpRouterSchema>;
