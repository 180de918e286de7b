import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboardHandler } from '../../../src/api/dashboard/handler.js';
import { createApiHandler, type ApiSource } from '../../../src/api/routes.js';
import { ErrorCodes } from '../../../src/errors/codes.js';
import type { ConfigIssue, ElementSection } from '../../../src/errors/config-issue.js';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { elementKey, type ElementInfo, type ElementStatus, type RuntimeStatus } from '../../../src/runtime/status.js';

/** The router name a user could put in a label to try script injection through the dashboard. */
export const XSS_NAME = '<img src=x onerror=alert(1)>@docker';

export const BROKEN_ROUTER_ISSUE: ConfigIssue = {
  code: ErrorCodes.RULE_SYNTAX,
  severity: 'error',
  where: 'label traefik.http.routers.broken.rule on container broken-1',
  message: 'unclosed parenthesis: add ")" at the end of the rule',
};

export const YAML_ISSUE: ConfigIssue = {
  code: ErrorCodes.YAML_SYNTAX,
  severity: 'error',
  where: 'dynamic/bad.yml:3',
  message: 'bad indentation of a mapping entry',
};

/** An issue whose text is markup: the dashboard must show it as text. */
export const XSS_ISSUE: ConfigIssue = {
  code: ErrorCodes.INVALID_VALUE,
  severity: 'warning',
  where: 'label traefik.http.routers.<b id="injected">x</b>.rule on container <svg onload=alert(3)>',
  message: '<script>alert(2)</script> is not a valid value',
};

interface ElementSpec {
  readonly status?: ElementStatus;
  readonly issues?: ConfigIssue[];
  readonly using?: string[];
  readonly usedBy?: string[];
}

function element(section: ElementSection, name: string, config: unknown, spec: ElementSpec = {}): ElementInfo {
  const info: ElementInfo = {
    name,
    provider: name.slice(name.lastIndexOf('@') + 1),
    section,
    status: spec.status ?? 'enabled',
    issues: spec.issues ?? [],
    config,
  };
  if (spec.using !== undefined) info.using = spec.using;
  if (spec.usedBy !== undefined) info.usedBy = spec.usedBy;
  return info;
}

/**
 * A small routing table: five HTTP routers (one disabled with a rule syntax error, one warning, one named like
 * an XSS payload that warns with markup in its issue), three services (one disabled), two middlewares, one TCP
 * router and service, and a YAML issue tied to no element. `extra` elements add to or replace those listed.
 */
export function buildStatus(generation: number, extra: readonly ElementInfo[] = []): RuntimeStatus {
  const elements: ElementInfo[] = [
    element('http.routers', 'web@docker', {
      rule: 'Host(`web.example`)', entryPoints: ['websecure'], middlewares: ['auth@file', 'strip@docker'], service: 'web@docker', tls: { certResolver: 'le' },
    }, { using: ['websecure'] }),
    element('http.routers', 'api@file', { rule: 'PathPrefix(`/api`)', entryPoints: ['web'], service: 'api@file', priority: 10 }, { using: ['web'] }),
    element('http.routers', 'broken@docker', { rule: 'Host(`broken.example`', service: 'web@docker' }, { status: 'disabled', issues: [BROKEN_ROUTER_ISSUE] }),
    element('http.routers', 'slow@file', { rule: 'Host(`slow.example`)', service: 'api@file' }, {
      status: 'warning',
      using: ['web'],
      issues: [{ code: ErrorCodes.NOT_SUPPORTED, severity: 'warning', where: 'dynamic/app.yml:12: http.routers.slow.observability', message: 'observability is accepted and ignored' }],
    }),
    element('http.routers', XSS_NAME, { rule: 'Host(`x.example`)', service: 'web@docker' }, { status: 'warning', using: ['web'], issues: [XSS_ISSUE] }),
    element('http.services', 'web@docker', { loadBalancer: { servers: [{ url: 'http://127.0.0.1:8081' }, { url: 'http://127.0.0.1:8082' }], passHostHeader: true } }, {
      usedBy: ['broken@docker', 'web@docker', XSS_NAME],
    }),
    element('http.services', 'api@file', { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9000' }] } }, { usedBy: ['api@file', 'slow@file'] }),
    element('http.services', 'ghost@docker', undefined, {
      status: 'disabled',
      issues: [{ code: ErrorCodes.DOCKER_PORT_MISSING, severity: 'error', where: 'container ghost-1', message: 'the container exposes no port: set traefik.http.services.ghost.loadbalancer.server.port' }],
    }),
    element('http.middlewares', 'auth@file', { basicAuth: { users: ['admin:$apr1$x$y'] } }, { usedBy: ['web@docker'] }),
    element('http.middlewares', 'strip@docker', { stripPrefix: { prefixes: ['/x'] } }, { usedBy: ['web@docker'] }),
    element('tcp.routers', 'db@file', { rule: 'HostSNI(`*`)', entryPoints: ['db'], service: 'db@file' }, { using: ['db'] }),
    element('tcp.services', 'db@file', { loadBalancer: { servers: [{ address: '127.0.0.1:5432' }] } }, { usedBy: ['db@file'] }),
  ];
  const map = new Map(elements.map((info) => [elementKey(info.section, info.name), info]));
  for (const info of extra) map.set(elementKey(info.section, info.name), info);
  return { generation, elements: map, issues: [YAML_ISSUE] };
}

export { element };

/**
 * An ApiSource whose status the test can replace (undefined: no configuration applied yet, the API answers
 * 503), and whose servers are UP unless listed in `down`.
 */
export interface MutableSource extends ApiSource {
  current: RuntimeStatus | undefined;
  readonly down: Set<string>;
}

export function mutableSource(): MutableSource {
  const down = new Set<string>(['http://127.0.0.1:8082']);
  const source: MutableSource = {
    current: buildStatus(1),
    down,
    status: () => source.current,
    health: (_service, url) => !down.has(url),
    entryPoints: () => [{ name: 'web', address: ':80' }, { name: 'websecure', address: ':443' }, { name: 'traefik', address: ':8080' }],
    providers: () => ['docker', 'file'],
    features: () => ({ tracing: '', metrics: '', accessLog: false }),
    version: { Version: '0.1.0-test', Codename: 'tugboat', startDate: '2025-01-01T00:00:00Z' },
  };
  return source;
}

function requestContext(req: IncomingMessage): RequestContext {
  return {
    entryPoint: 'traefik',
    clientIp: req.socket.remoteAddress ?? '127.0.0.1',
    clientPort: req.socket.remotePort ?? 0,
    localPort: req.socket.localPort ?? 0,
    tls: false,
    trustForwardHeaders: false,
    host: '',
    serverName: '',
    routerName: 'dashboard@internal',
    serviceName: 'dashboard@internal',
    serverUrl: '',
    upgrade: undefined,
    startedAt: process.hrtime.bigint(),
  };
}

export interface DashboardServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server laid out as Berth's `traefik` entrypoint: `/api/*` to the API handler, `/dashboard/*` to
 * the dashboard with the prefix stripped and X-Forwarded-Prefix added (the internal `dashboard_stripprefix`),
 * and `/` redirected to `/dashboard/` (the internal `dashboard_redirect`).
 */
export async function startDashboardServer(source: ApiSource): Promise<DashboardServer> {
  const api = createApiHandler(source);
  const dashboard = createDashboardHandler();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) return api(req, res);
    if (url === '/') {
      res.writeHead(301, { location: '/dashboard/' });
      return res.end();
    }
    const prefix = ['/dashboard/', '/dashboard'].find((candidate) => url.startsWith(candidate));
    if (prefix === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('404 page not found\n');
    }
    req.headers['x-forwarded-prefix'] = prefix;
    const rest = url.slice(prefix.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    return dashboard(req, res, requestContext(req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
