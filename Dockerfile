# syntax=docker/dockerfile:1
#
# Airlock: one image with the server, the admin UI, Debian's python3 (the interpreter scripts run
# with), bubblewrap and nsjail. Build: `docker build -t airlock .`. Run: see docs/docker.md; the
# sandbox needs user namespaces and a fresh /proc inside the container, so the container needs
# `--security-opt seccomp=unconfined --security-opt apparmor=unconfined
#  --security-opt systempaths=unconfined` (or --privileged). Decisions: docs/adr/0070-0072.
#
# Stages: nsjail (built from upstream source) → build (pnpm install + turbo build, dev deps) →
# prod (production node_modules, assembled into /out) → runtime-base (Debian packages + nsjail)
# → sandbox-test (optional: the sandbox probe suite, to prove a backend in this image) →
# runtime (the image that is shipped; the last stage, so the default target).

# ---------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS nsjail
ARG NSJAIL_VERSION=3.6
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates git g++ make pkg-config bison flex protobuf-compiler libprotobuf-dev \
      libnl-route-3-dev \
 && rm -rf /var/lib/apt/lists/*
RUN git clone --depth 1 --branch "${NSJAIL_VERSION}" --recurse-submodules --shallow-submodules \
      https://github.com/google/nsjail.git /src/nsjail
WORKDIR /src/nsjail
RUN make -j"$(nproc)" && strip nsjail

# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
# python3, make and g++ build better-sqlite3 (node-gyp) against the headers of this Node
# (npm_config_nodedir), so nothing is downloaded besides the npm packages.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local \
    CI=true \
    TURBO_TELEMETRY_DISABLED=1
WORKDIR /app
# pnpm at the version package.json pins ("packageManager").
COPY package.json ./
RUN npm install -g --no-fund --no-audit \
      "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
# Every package tarball the lockfile names, into pnpm's store (cached until the lockfile changes).
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
# The server, the admin UI and the libraries they use (the same set `pnpm start` builds).
RUN pnpm exec turbo run build --filter=@airlock/server --filter=@airlock/admin --output-logs=errors-only

# ---------------------------------------------------------------------------------------------
FROM build AS prod
# Production dependencies only, then exactly what the server needs at run time, into /out.
RUN rm -rf node_modules apps/*/node_modules packages/*/node_modules bench/node_modules \
 && pnpm install --frozen-lockfile --offline --prod \
 && bash scripts/docker-assemble.sh /app /out

# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime-base
# Debian's python3 (scripts run /usr/bin/python3) and the libraries scripts commonly import;
# pip and venv for /requirements; bubblewrap (default backend), passt (network mode "full"),
# tini (PID 1 reaps orphans), nsjail's shared libraries.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3 python3-httpx python3-requests python3-pandas python3-openpyxl python3-pip \
      python3-venv bubblewrap passt ca-certificates tini libprotobuf32 libnl-route-3-200 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=nsjail /src/nsjail/nsjail /usr/local/bin/nsjail
# bubblewrap is the backend the probe suite proves in CI; nsjail is opt-in (AIRLOCK_SANDBOX=nsjail
# or auto) once `docker build --target sandbox-test` has proven it on your host (ADR 0070).
ENV AIRLOCK_SANDBOX=bwrap \
    AIRLOCK_DATA_DIR=/data \
    AIRLOCK_HOST=0.0.0.0 \
    NODE_ENV=production

# ---------------------------------------------------------------------------------------------
# Optional: `docker build --target sandbox-test -t airlock-sandbox-test . && docker run --rm
# --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt
# systempaths=unconfined airlock-sandbox-test` runs the sandbox's escape probes for every backend
# installed here (bwrap and nsjail). Never built unless asked for.
FROM runtime-base AS sandbox-test
COPY --from=build /app /app
WORKDIR /app/packages/sandbox
ENV NODE_ENV=test
CMD ["node_modules/.bin/vitest", "run"]

# ---------------------------------------------------------------------------------------------
FROM runtime-base AS runtime
COPY --from=prod /out /app
WORKDIR /app
# 0711: the sandbox's unprivileged uid must traverse /data to reach /data/packages (ADR 0003).
RUN mkdir -p /data && chmod 0711 /data
VOLUME ["/data"]
EXPOSE 9090
# GET /health is 200 only while the sandbox runs a test script; the port follows AIRLOCK_PORT/PORT.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/scripts/docker-healthcheck.mjs"]
# The server runs as root inside the container and drops every script to an unprivileged pool uid
# before the sandbox (ADR 0071). tini -s reaps orphans even when it is not PID 1 (e.g. --init).
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
CMD ["node", "apps/server/dist/main.js"]
