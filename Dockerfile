# Berth: a reverse proxy that reads Traefik v3 configuration (static keys, Docker labels, dynamic files, rules).
#
#   docker build -t berth .
#   docker run -d -p 80:80 -v /var/run/docker.sock:/var/run/docker.sock:ro \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     berth --entryPoints.web.address=:80 --providers.docker.exposedByDefault=false --ping
#
# Without any configuration the image starts Berth's demo (embedded default): whoami on :8080, the dashboard, the
# API and /ping on :8081. The same image is also a tiny demo backend: `docker run berth whoami --port=80`.
#
# Access to the Docker socket
# ---------------------------
# Berth runs as the unprivileged user `node` (uid 1000). The Docker socket is usually owned by root:docker with mode
# 660, so mount it read-only and add the socket's group to the container (the gid differs between hosts):
#     docker run --group-add "$(stat -c %g /var/run/docker.sock)" -v /var/run/docker.sock:/var/run/docker.sock:ro ...
#     compose:  group_add: ["${DOCKER_GID}"]   with   export DOCKER_GID=$(stat -c %g /var/run/docker.sock)
# Anyone who can talk to the socket is root on the host, so a read-only socket proxy is safer: it lets through only
# the GET requests Berth makes (/version, /containers, /events) and Berth itself needs no socket at all, e.g.
#     socket-proxy:  image tecnativa/docker-socket-proxy, environment CONTAINERS=1 (everything else off),
#                    the socket mounted read-only, on a network only Berth shares
#     berth:         --providers.docker.endpoint=tcp://socket-proxy:2375
#
# Ports 80 and 443 need no capability: Docker (20.10+) lets unprivileged processes bind low ports inside a container's
# own network namespace. With `--network host` use ports above 1023 or run as root (`--user 0`).

# The Node 24 LTS base. CI builds it locally with `docker import` (see test/helpers/node-base-image.ts), since no
# registry is reachable there; elsewhere it is the official image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts stay off: "prepare" would compile before the sources are copied, and no production dependency needs an
# install script (dockerode's optional native ssh helpers are not used: Berth talks HTTP to the socket).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# Only src/ is in the build context (.dockerignore), so only dist/src is produced; then the dev tools go, and the
# type declarations and source maps of the dependencies, which nothing reads at run time.
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -type f -exec rm -f {} +

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY defaults ./defaults
USER node
# 80/443 for the usual web/websecure entryPoints; 8080/8081 are the embedded default's demo and dashboard.
EXPOSE 80 443 8080 8081
# `berth healthcheck` asks /ping of this container's Berth, using the flags of the container's main process (so a
# configuration given as `command:` flags needs no repeating here); in a `berth whoami` container it asks /health.
HEALTHCHECK --interval=10s --timeout=6s --start-period=10s --retries=3 CMD ["node", "/app/dist/src/main.js", "healthcheck"]
ENTRYPOINT ["node", "/app/dist/src/main.js"]
