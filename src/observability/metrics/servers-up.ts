/** What `traefik_service_server_up` reads from a graph's status (RuntimeStatus satisfies it). */
export interface ServiceStatusView {
  readonly elements: ReadonlyMap<string, { readonly section: string; readonly name: string; readonly status: string; readonly config: unknown }>;
}

/**
 * Every server of every serving loadBalancer service, with its health (UP unless the health registry says DOWN),
 * for `traefik_service_server_up{service,url}`.
 */
export function* serversUp(status: ServiceStatusView | undefined, health: ReadonlyMap<string, 'UP' | 'DOWN'>): Iterable<{ service: string; url: string; up: boolean }> {
  if (status === undefined) return;
  for (const info of status.elements.values()) {
    if (info.section !== 'http.services' || info.status === 'disabled') continue;
    const servers = (info.config as { loadBalancer?: { servers?: ReadonlyArray<{ url: string }> } } | undefined)?.loadBalancer?.servers ?? [];
    for (const server of servers) yield { service: info.name, url: server.url, up: health.get(server.url) !== 'DOWN' };
  }
}
