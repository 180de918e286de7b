/**
 * api.js: the dashboard's view of Berth's read-only API. Paths are absolute (`/api/...`): the internal provider
 * serves the API and the dashboard on the same origin, the dashboard under `/dashboard/`.
 */
export const API_JS = String.raw`
/** Every element list the API has, in navigation order. "key" is both the API path and the hash route. */
export const SECTIONS = [
  { key: 'http/routers', proto: 'http', kind: 'routers', title: 'HTTP Routers', one: 'HTTP router' },
  { key: 'http/services', proto: 'http', kind: 'services', title: 'HTTP Services', one: 'HTTP service' },
  { key: 'http/middlewares', proto: 'http', kind: 'middlewares', title: 'HTTP Middlewares', one: 'HTTP middleware' },
  { key: 'tcp/routers', proto: 'tcp', kind: 'routers', title: 'TCP Routers', one: 'TCP router' },
  { key: 'tcp/services', proto: 'tcp', kind: 'services', title: 'TCP Services', one: 'TCP service' },
  { key: 'tcp/middlewares', proto: 'tcp', kind: 'middlewares', title: 'TCP Middlewares', one: 'TCP middleware' },
  { key: 'udp/routers', proto: 'udp', kind: 'routers', title: 'UDP Routers', one: 'UDP router' },
  { key: 'udp/services', proto: 'udp', kind: 'services', title: 'UDP Services', one: 'UDP service' },
];

const BY_KEY = new Map(SECTIONS.map((section) => [section.key, section]));

export function sectionOf(key) {
  return BY_KEY.get(key);
}

/** The section of another kind with the same protocol: a TCP router's services are TCP services. */
export function sibling(section, kind) {
  return BY_KEY.get(section.proto + '/' + kind);
}

/** {total, warnings, errors} of a section in /api/overview; zeros when the overview has no entry. */
export function countsOf(overview, section) {
  const proto = overview && overview[section.proto];
  const counts = proto && proto[section.kind];
  if (!counts || typeof counts.total !== 'number') return { total: 0, warnings: 0, errors: 0 };
  return { total: counts.total, warnings: counts.warnings || 0, errors: counts.errors || 0 };
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GETs JSON; a non-2xx answer throws ApiError with the API's own message. Returns the body and X-Next-Page. */
export async function getJson(path, signal) {
  let res;
  try {
    res = await fetch(path, { signal, cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (err) {
    if (signal && signal.aborted) throw err;
    throw new ApiError(0, 'the API did not answer (' + (err && err.message ? err.message : 'network error') + ')');
  }
  let body = null;
  try {
    body = await res.json();
  } catch (err) {
    if (signal && signal.aborted) throw err;
    body = null;
  }
  if (!res.ok) throw new ApiError(res.status, body && typeof body.message === 'string' ? body.message : 'HTTP ' + res.status);
  const next = Number.parseInt(res.headers.get('x-next-page') || '1', 10);
  return { body, nextPage: Number.isFinite(next) ? next : 1 };
}

/** Like getJson, but a 404 gives null: a referenced element may be gone or never existed. */
export async function getOptional(path, signal) {
  try {
    return (await getJson(path, signal)).body;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

const LIST_PARAMS = ['search', 'status', 'serviceName', 'middlewareName', 'page', 'per_page'];

function query(params) {
  const q = new URLSearchParams();
  for (const key of LIST_PARAMS) {
    const value = params[key];
    if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  }
  const text = q.toString();
  return text === '' ? '' : '?' + text;
}

export function listPath(section, params) {
  return '/api/' + section.key + query(params);
}

export function elementPath(section, name) {
  return '/api/' + section.key + '/' + encodeURIComponent(name);
}

/** Hash routes: #/http/routers?search=x and #/http/routers/<encoded name>. */
export function listHref(section, params) {
  return '#/' + section.key + query(params || {});
}

export function elementHref(section, name) {
  return '#/' + section.key + '/' + encodeURIComponent(name);
}

/** Every element of a list query, following X-Next-Page (the API pages at per_page). */
export async function getAll(section, params, signal) {
  const out = [];
  let page = 1;
  for (let guard = 0; guard < 100; guard++) {
    const { body, nextPage } = await getJson(listPath(section, Object.assign({}, params, { page, per_page: 500 })), signal);
    if (Array.isArray(body)) out.push(...body);
    if (!(nextPage > page)) break;
    page = nextPage;
  }
  return out;
}
`;
