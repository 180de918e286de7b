import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RuntimeStatus } from '../runtime/status.js';
import { API_SECTIONS, elementView, overview, rawData, sectionElements, type ApiSection, type ServerHealth } from './views.js';

/** What the API reads. Everything is a getter: the API never holds or mutates runtime state. */
export interface ApiSource {
  /** The status of the routing table the API's own request is being served by. */
  status(): RuntimeStatus | undefined;
  readonly health: ServerHealth;
  /** Entrypoints as configured (static configuration), in Traefik's `/api/entrypoints` shape. */
  entryPoints(): ReadonlyArray<Record<string, unknown>>;
  providers(): readonly string[];
  features(): Record<string, unknown>;
  readonly version: { readonly Version: string; readonly Codename: string; readonly startDate: string };
  /** Berth only (`/api/workers`): the worker processes serving traffic; none in the single-process mode. */
  workers?(): readonly WorkerView[];
}

/** One worker process as `/api/workers` shows it. */
export interface WorkerView {
  /** The cluster worker id (1, 2, ...; a replacement gets a new one). */
  readonly id: number;
  readonly pid: number;
  /** The generation of the last snapshot it applied (0 before the first). */
  readonly generation: number;
  /** When it was forked (ISO 8601). */
  readonly startedAt: string;
}

const LIST_ROUTES: Readonly<Record<string, ApiSection>> = {
  '/api/http/routers': 'routers',
  '/api/http/services': 'services',
  '/api/http/middlewares': 'middlewares',
  '/api/tcp/routers': 'tcpRouters',
  '/api/tcp/services': 'tcpServices',
  '/api/tcp/middlewares': 'tcpMiddlewares',
  '/api/udp/routers': 'udpRouters',
  '/api/udp/services': 'udpServices',
};

/**
 * The `api@internal` service: Traefik's read-only API (reference §8.1). List endpoints support `search`,
 * `status`, `serviceName`, `middlewareName`, `page` and `per_page`, with the next page in `X-Next-Page`.
 */
export function createApiHandler(source: ApiSource): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { message: 'method not allowed' }, { allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', 'http://api.local');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const status = source.status();
    if (path === '/api/version') return json(res, 200, source.version);
    if (path === '/api/entrypoints') return json(res, 200, source.entryPoints());
    if (path === '/api/workers') return json(res, 200, source.workers?.() ?? []);
    if (path.startsWith('/api/entrypoints/')) {
      const name = decodeURIComponent(path.slice('/api/entrypoints/'.length));
      const found = source.entryPoints().find((ep) => ep['name'] === name);
      return found === undefined ? notFound(res, `entrypoint "${name}"`) : json(res, 200, found);
    }
    if (status === undefined) return json(res, 503, { message: 'no configuration has been applied yet' });
    if (path === '/api/rawdata') return json(res, 200, rawData(status, source.health));
    if (path === '/api/overview') return json(res, 200, overview(status, source.features(), source.providers()));
    const listSection = LIST_ROUTES[path];
    if (listSection !== undefined) return list(res, url, status, listSection, source.health);
    for (const [prefix, section] of Object.entries(LIST_ROUTES)) {
      if (path.startsWith(`${prefix}/`)) {
        const name = decodeURIComponent(path.slice(prefix.length + 1));
        const info = status.elements.get(`${API_SECTIONS[section]}/${name}`);
        return info === undefined ? notFound(res, `${API_SECTIONS[section].replace('.', ' ').replace(/s$/, '')} "${name}"`) : json(res, 200, elementView(info, source.health));
      }
    }
    return notFound(res, `API path ${path}`);
  };
}

function list(res: ServerResponse, url: URL, status: RuntimeStatus, section: ApiSection, health: ServerHealth): void {
  const search = url.searchParams.get('search')?.toLowerCase() ?? '';
  const wantedStatus = url.searchParams.get('status') ?? '';
  const serviceName = url.searchParams.get('serviceName') ?? '';
  const middlewareName = url.searchParams.get('middlewareName') ?? '';
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const perPage = Math.max(1, Number.parseInt(url.searchParams.get('per_page') ?? '100', 10) || 100);
  const views = sectionElements(status, API_SECTIONS[section])
    .filter((info) => search === '' || info.name.toLowerCase().includes(search) || JSON.stringify(info.config ?? {}).toLowerCase().includes(search))
    .filter((info) => wantedStatus === '' || info.status === wantedStatus)
    .map((info) => elementView(info, health))
    .filter((view) => serviceName === '' || view['service'] === serviceName)
    .filter((view) => middlewareName === '' || (Array.isArray(view['middlewares']) && view['middlewares'].includes(middlewareName)));
  const start = (page - 1) * perPage;
  if (start > 0 && start >= views.length) return json(res, 400, { message: 'invalid request: page out of range' });
  const headers: Record<string, string> = { 'x-next-page': String(start + perPage < views.length ? page + 1 : 1) };
  json(res, 200, views.slice(start, start + perPage), headers);
}

function notFound(res: ServerResponse, what: string): void {
  json(res, 404, { message: `${what} not found` });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}
