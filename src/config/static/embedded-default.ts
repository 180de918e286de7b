import { fileURLToPath } from 'node:url';

/**
 * The configuration Berth runs with when it is given none at all (no file found, no BERTH_ or TRAEFIK_
 * environment variable, no configuration flag, except the addresses in EMBEDDED_ADDRESS_KEYS, which move it), so
 * that `berth` alone serves something real without Docker:
 * - entryPoint `web` on :8080 routes every path to Berth's built-in whoami server on 127.0.0.1:8082;
 * - entryPoint `traefik` on :8081 serves the API, the dashboard and `/ping`;
 * - the Docker provider is on, so labelled containers show up when a Docker socket is reachable.
 * Traefik instead starts with an empty configuration listening on :80.
 */

/** The example dynamic configuration of the embedded default, relative to the package root (shipped with it). */
export const EMBEDDED_DYNAMIC_PATH = 'defaults/dynamic.yml';

/** Where the built-in whoami server listens in the embedded default. */
export const EMBEDDED_WHOAMI_ADDRESS = '127.0.0.1:8082';

/**
 * The variable through which file templates see `demo.whoami.address` (bootstrap sets it for the file provider,
 * whichever source gave the address), so that the example route follows the whoami server when it moves.
 */
export const DEMO_WHOAMI_ADDRESS_VARIABLE = 'BERTH_DEMO_WHOAMI_ADDRESS';

/** The key (lower-case) that says "move the demo": with it, the entrypoint addresses below may be set too. */
export const EMBEDDED_WHOAMI_KEY = 'demo.whoami.address';

/**
 * Keys (lower-case) that flags and variables may set without turning the embedded default off, as long as
 * `demo.whoami.address` is one of them: where its listeners go. `berth --demo.whoami.address=127.0.0.1:9082
 * --entryPoints.web.address=:9080 --entryPoints.traefik.address=:9081` runs the same demo on other ports (so do
 * BERTH_DEMO_WHOAMI_ADDRESS, BERTH_ENTRYPOINTS_WEB_ADDRESS and BERTH_ENTRYPOINTS_TRAEFIK_ADDRESS). Any other key,
 * or an entrypoint address without the demo's (`--entryPoints.web.address=:80`), means the user is configuring
 * Berth, and the embedded default steps aside.
 */
export const EMBEDDED_ADDRESS_KEYS: ReadonlySet<string> = new Set(['entrypoints.web.address', 'entrypoints.traefik.address', EMBEDDED_WHOAMI_KEY]);

/** The example dynamic configuration; `defaults/dynamic.yml` holds the same text (a test keeps them identical). */
export const EMBEDDED_DYNAMIC_YAML = `# Berth's example dynamic configuration, used by the embedded default static configuration.
# Every path on the "web" entryPoint goes to the built-in whoami server, which answers with the request it received.
# Routers from Docker labels with a Host rule have longer rules, hence higher priorities, and win over this one.
http:
  routers:
    demo:
      rule: "PathPrefix(\`/\`)"
      entryPoints:
        - web
      service: demo-whoami
  services:
    demo-whoami:
      loadBalancer:
        servers:
          # Follows demo.whoami.address when the demo is moved to other ports.
          - url: "http://{{ env "${DEMO_WHOAMI_ADDRESS_VARIABLE}" | default "${EMBEDDED_WHOAMI_ADDRESS}" }}"
`;

/** The absolute path of `defaults/dynamic.yml` in the installed package (this module is dist/src/config/static/). */
export function embeddedDynamicFile(): string {
  return fileURLToPath(new URL(`../../../../${EMBEDDED_DYNAMIC_PATH}`, import.meta.url));
}

/** The embedded default static configuration as YAML, reading its dynamic configuration from `dynamicFile`. */
export function embeddedStaticYaml(dynamicFile: string = embeddedDynamicFile()): string {
  return `# Berth's embedded default static configuration (used when no configuration is given).
entryPoints:
  web:
    address: ":8080"
  traefik:
    address: ":8081"
api:
  insecure: true
  dashboard: true
ping: {}
log:
  level: INFO
providers:
  docker: {}
  file:
    filename: ${JSON.stringify(dynamicFile)}
    watch: false
demo:
  whoami:
    address: "${EMBEDDED_WHOAMI_ADDRESS}"
`;
}

/** How issues in the embedded default are attributed (there should be none; a test decodes it). */
export const EMBEDDED_SOURCE_NAME = 'embedded default configuration';
