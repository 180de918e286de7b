/**
 * The subset of `docker inspect` the Docker provider needs, as plain data: the pure builder works on this,
 * so tests describe containers without a daemon.
 */
export interface ContainerInfo {
  readonly id: string;
  /** The container name without Docker's leading `/`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: {
    /** `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`. */
    readonly status: string;
    /** `starting`, `healthy` or `unhealthy`; absent when the container has no health check. */
    readonly health?: string;
  };
  /** `HostConfig.NetworkMode`: `bridge`, `host`, `none`, `container:<id>`, `default` or a network name. */
  readonly networkMode: string;
  /** The networks the container is attached to, by name. */
  readonly networks: Readonly<Record<string, ContainerNetwork>>;
  /** Exposed and published ports (`NetworkSettings.Ports` and `Config.ExposedPorts`). */
  readonly ports: readonly ContainerPort[];
}

export interface ContainerNetwork {
  readonly ipv4?: string;
  /** The global IPv6 address, used when the network gives no IPv4 address. */
  readonly ipv6?: string;
}

export interface ContainerPort {
  readonly port: number;
  /** `tcp`, `udp` or `sctp`. */
  readonly protocol: string;
  /** Host bindings of a published port (`-p 127.0.0.1:8080:80`); empty when only exposed. */
  readonly bindings: ReadonlyArray<{ readonly hostIp: string; readonly hostPort: string }>;
}

/** The fields of the Engine API's `GET /containers/{id}/json` answer that are read (all may be missing). */
export interface RawContainerInspect {
  readonly Id?: string;
  readonly Name?: string;
  readonly Config?: { readonly Labels?: Record<string, string> | null; readonly ExposedPorts?: Record<string, unknown> | null } | null;
  readonly State?: { readonly Status?: string; readonly Health?: { readonly Status?: string } | null } | null;
  readonly HostConfig?: { readonly NetworkMode?: string } | null;
  readonly NetworkSettings?: {
    readonly Ports?: Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null> | null;
    readonly Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string } | null> | null;
  } | null;
}

/** Maps an inspect answer onto ContainerInfo (pure). */
export function containerFromInspect(raw: RawContainerInspect): ContainerInfo {
  const ports = new Map<string, ContainerPort>();
  const addPort = (spec: string, bindings: ContainerPort['bindings']): void => {
    const [number, protocol = 'tcp'] = spec.split('/');
    const port = Number(number);
    if (!Number.isInteger(port) || port <= 0) return;
    const key = `${port}/${protocol}`;
    const existing = ports.get(key);
    if (existing === undefined || existing.bindings.length === 0) ports.set(key, { port, protocol, bindings });
  };
  for (const [spec, bindings] of Object.entries(raw.NetworkSettings?.Ports ?? {})) {
    addPort(spec, (bindings ?? []).map((b) => ({ hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' })));
  }
  // A host-network or stopped container has no NetworkSettings.Ports; its image's EXPOSE still says which port serves.
  for (const spec of Object.keys(raw.Config?.ExposedPorts ?? {})) addPort(spec, []);

  const networks: Record<string, ContainerNetwork> = {};
  for (const [name, network] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    networks[name] = {
      ...(network?.IPAddress ? { ipv4: network.IPAddress } : {}),
      ...(network?.GlobalIPv6Address ? { ipv6: network.GlobalIPv6Address } : {}),
    };
  }
  const health = raw.State?.Health?.Status;
  return {
    id: raw.Id ?? '',
    name: (raw.Name ?? '').replace(/^\//, ''),
    labels: { ...(raw.Config?.Labels ?? {}) },
    state: { status: raw.State?.Status ?? '', ...(health ? { health } : {}) },
    networkMode: raw.HostConfig?.NetworkMode ?? '',
    networks,
    ports: [...ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
  };
}
