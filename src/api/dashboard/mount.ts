import type { Handler } from '../../runtime/handler.js';

const PREFIX = '/dashboard';

/**
 * `api@internal` as Traefik's secure mode uses it: a user router (`PathPrefix(`/api`) || PathPrefix(`/dashboard`)`)
 * sends both to the one service, which serves the dashboard under `/dashboard/` and the API elsewhere. The
 * prefix is stripped here as the internal `dashboard_stripprefix` middleware would, and X-Forwarded-Prefix is
 * set (not appended) so a client cannot choose where `/dashboard` redirects to. `/dashboardx` is not the dashboard.
 */
export function withDashboard(api: Handler, dashboard: Handler): Handler {
  return (req, res, ctx) => {
    const url = req.url ?? '/';
    if (!url.startsWith(PREFIX)) return api(req, res, ctx);
    const rest = url.slice(PREFIX.length);
    if (rest !== '' && rest[0] !== '/' && rest[0] !== '?') return api(req, res, ctx);
    req.headers['x-forwarded-prefix'] = rest.startsWith('/') ? `${PREFIX}/` : PREFIX;
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    dashboard(req, res, ctx);
  };
}
