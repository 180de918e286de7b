import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import type { ContainerInfo, ContainerNetwork } from './container.js';
import { composeProjectOf } from './names.js';

/** What address selection needs besides the container itself. */
export interface AddressContext {
  /** Every listed container, to follow `network_mode: container:<id>`. */
  readonly containers: readonly ContainerInfo[];
  /** The address of the Docker host as seen from Berth, for `network_mode: host` (resolved by the I/O layer). */
  readonly hostIp: string;
  readonly useBindPortIP: boolean;
  /** The network a container's address is taken from: its `<prefix>.docker.network` label, else the setting. */
  readonly networkOf: (container: ContainerInfo) => { readonly name?: string; readonly from: string };
  /** The label prefix a container is read under, for hints. */
  readonly prefixOf: (container: ContainerInfo) => string;
}

export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
}

export type AddressResult =
  | { readonly ok: true; readonly host: string; readonly port: number; readonly warnings: readonly Problem[] }
  | { readonly ok: false; readonly problem: Problem; readonly warnings: readonly Problem[] };

/** `host:port`, with an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The port to forward to: the label's, else the lowest exposed or published one (any protocol), as Traefik. */
export function detectPort(container: ContainerInfo, labelPort: number | undefined): number | undefined {
  if (labelPort !== undefined) return labelPort;
  let lowest: number | undefined;
  for (const { port } of container.ports) if (lowest === undefined || port < lowest) lowest = port;
  return lowest;
}

/**
 * Where to reach one service of a container (reference §2.5). With `useBindPortIP`, a binding of the chosen
 * port with a specific host IP wins (`127.0.0.1:8080->80`); an unspecified one (`0.0.0.0`) falls back to the
 * container's own address and port, as in Traefik.
 */
export function serviceAddress(container: ContainerInfo, labelPort: number | undefined, portHint: string, ctx: AddressContext): AddressResult {
  const port = detectPort(container, labelPort);
  if (ctx.useBindPortIP && port !== undefined) {
    const binding = bindingFor(container, port);
    const hostPort = Number(binding?.hostPort);
    if (binding !== undefined && !isUnspecified(binding.hostIp) && Number.isInteger(hostPort) && hostPort > 0) {
      return { ok: true, host: binding.hostIp, port: hostPort, warnings: [] };
    }
  }
  const ip = containerIp(container, ctx, 0);
  if (ip.address === undefined) {
    return { ok: false, problem: ip.problem ?? { code: ErrorCodes.DOCKER_NETWORK, message: `container ${container.name} has no IP address` }, warnings: ip.warnings };
  }
  if (port === undefined) {
    return {
      ok: false,
      warnings: ip.warnings,
      problem: {
        code: ErrorCodes.DOCKER_PORT_MISSING,
        message: `no port to forward to: container ${container.name} exposes no port and no label gives one; set ${portHint}`,
      },
    };
  }
  return { ok: true, host: ip.address, port, warnings: ip.warnings };
}

function bindingFor(container: ContainerInfo, port: number) {
  // Docker's port map is unordered; prefer TCP over UDP so the choice is stable.
  const candidates = container.ports
    .filter((p) => p.port === port && (p.protocol === 'tcp' || p.protocol === 'udp'))
    .sort((a, b) => a.protocol.localeCompare(b.protocol));
  for (const candidate of candidates) if (candidate.bindings[0] !== undefined) return candidate.bindings[0];
  return undefined;
}

function isUnspecified(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0' || ip === '::';
}

interface IpChoice {
  readonly address?: string;
  readonly problem?: Problem;
  readonly warnings: Problem[];
}

function addressOf(network: ContainerNetwork | undefined): string | undefined {
  return network?.ipv4 || network?.ipv6 || undefined;
}

/**
 * The container's IP: the configured network's address when attached; `network_mode: host` gives the Docker
 * host; `container:<id>` follows that container. Otherwise the first network BY NAME that has an address:
 * Traefik takes the first entry of Go's randomly ordered map, so a multi-network container could get a
 * different network on every reload (reference §10, pain point 4); Berth's choice is stable and reported.
 */
function containerIp(container: ContainerInfo, ctx: AddressContext, depth: number, inheritedNetwork?: { name?: string; from: string }): IpChoice {
  const warnings: Problem[] = [];
  const own = ctx.networkOf(container);
  const network = own.name === undefined && inheritedNetwork !== undefined ? inheritedNetwork : own;
  const names = Object.keys(container.networks).sort();
  let notAttached = false;
  if (network.name !== undefined && network.name !== '') {
    const address = addressOf(container.networks[network.name]);
    if (address !== undefined) return { address, warnings };
    notAttached = !(network.name in container.networks);
  }

  if (container.networkMode === 'host') return { address: ctx.hostIp, warnings };
  if (container.networkMode.startsWith('container:')) {
    const target = container.networkMode.slice('container:'.length);
    const peer = ctx.containers.find((c) => c.id === target || (target.length >= 12 && c.id.startsWith(target)) || c.name === target.replace(/^\//, ''));
    if (peer === undefined || depth > 4) {
      return {
        warnings,
        problem: {
          code: ErrorCodes.DOCKER_NETWORK,
          message: `container ${container.name} shares the network of container ${target} (network_mode: container:${target}), which is not running or not listed, so it has no address`,
        },
      };
    }
    const followed = containerIp(peer, ctx, depth + 1, network);
    return { ...followed, warnings: [...warnings, ...followed.warnings] };
  }

  const withAddress = names.filter((name) => addressOf(container.networks[name]) !== undefined);
  const chosen = withAddress[0];
  if (notAttached && network.name !== undefined) {
    warnings.push({ code: ErrorCodes.DOCKER_NETWORK, message: notAttachedMessage(container, network.name, network.from, names, chosen) });
  } else if (withAddress.length > 1 && (network.name === undefined || network.name === '')) {
    warnings.push({
      code: ErrorCodes.DOCKER_NETWORK,
      message: `container ${container.name} is on several networks (${withAddress.join(', ')}) and none is chosen; using "${chosen}", the first by name. Set the label ${ctx.prefixOf(container)}.docker.network (or providers.docker.network) to choose`,
    });
  }
  if (chosen === undefined) {
    return {
      warnings,
      problem: {
        code: ErrorCodes.DOCKER_NETWORK,
        message: `container ${container.name} has no IP address (network mode "${container.networkMode}", networks: ${names.length === 0 ? 'none' : names.join(', ')})`,
      },
    };
  }
  return { address: addressOf(container.networks[chosen]) as string, warnings };
}

function notAttachedMessage(container: ContainerInfo, wanted: string, from: string, names: readonly string[], chosen: string | undefined): string {
  const project = composeProjectOf(container);
  let hint = '';
  if (project !== undefined) {
    const prefixed = `${project}_${wanted}`;
    hint = names.includes(prefixed)
      ? ` Compose prefixes network names with the project: use "${prefixed}".`
      : ` Compose names networks "<project>_<network>" (here "${prefixed}").`;
  }
  const fallback = chosen === undefined ? '' : ` Using "${chosen}", the first by name.`;
  return `network "${wanted}" (${from}) is not attached to container ${container.name}, which is on: ${names.length === 0 ? 'no network' : names.join(', ')}.${fallback}${hint}`;
}
