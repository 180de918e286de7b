import type { ContainerInfo } from './container.js';

const COMPOSE_PROJECT = 'com.docker.compose.project';
const COMPOSE_SERVICE = 'com.docker.compose.service';

/**
 * Traefik's `normalize`: every run of characters that are neither letters nor digits becomes one `-`, and
 * none is left at either end (`/my_app.1` -> `my-app-1`).
 */
export function normalizeName(name: string): string {
  return name.split(/[^\p{L}\p{N}]+/u).filter((part) => part !== '').join('-');
}

/**
 * The name of a container's default service and router: `<compose service>_<compose project>` when both
 * compose labels are set, else the container name, normalized (`whoami` in project `demo` -> `whoami-demo`).
 */
export function serviceNameOf(container: ContainerInfo): string {
  const project = container.labels[COMPOSE_PROJECT];
  const service = container.labels[COMPOSE_SERVICE];
  return normalizeName(project && service ? `${service}_${project}` : container.name);
}

/** The compose project a container belongs to, if any (used to hint at `<project>_<network>` names). */
export function composeProjectOf(container: ContainerInfo): string | undefined {
  return container.labels[COMPOSE_PROJECT] || undefined;
}
