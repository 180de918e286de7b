import type { Snapshot } from '../../src/config/dynamic/snapshot.js';
import type { RouterTls } from '../../src/config/dynamic/model.js';
import type { PlacedRoute } from '../../src/runtime/compile/http-routers.js';

/** A router placed on an entrypoint, as compile returns it (only the fields TLS code reads). */
export function placed(name: string, hosts: string[], tlsConfig: RouterTls | undefined, entryPoint = 'websecure'): PlacedRoute {
  return { entryPoint, tls: tlsConfig !== undefined, tlsConfig, hosts, route: { name } } as unknown as PlacedRoute;
}

/** A snapshot holding `routers` (qualified names), an optional `tls` section and the providers' origins. */
export function snapshotOf(routers: Record<string, { tls?: RouterTls }>, extra: { tls?: unknown; origins?: Snapshot['origins'] } = {}): Snapshot {
  return {
    generation: 1,
    createdAt: 0,
    config: {
      http: { routers: Object.fromEntries(Object.entries(routers).map(([name, r]) => [name, { rule: 'Host(`x`)', service: 's', ...r }])) },
      ...(extra.tls === undefined ? {} : { tls: extra.tls }),
    },
    issues: [],
    origins: extra.origins ?? {},
    providers: [],
  } as Snapshot;
}
