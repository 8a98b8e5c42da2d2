# syntax=docker/dockerfile:1
# One image recipe, one target per service (docker-compose.yml builds each with `target: <service>`):
#   docker build --target builder -t flightdeck/builder .
# Services run from source with swc, exactly as `npm start` runs them (libs/testing spawnService):
# there is no separate build output to drift from what the tests ran.

ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- package manifests only, so that `npm ci` is re-run only when a manifest or the lockfile changes
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o -name package.json -print \
    | xargs -I{} cp --parents {} /manifests/ \
 && cp package-lock.json /manifests/

# --- production dependencies (typescript stays: @swc-node/register reads tsconfig.json with it)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- what every service needs at run time
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    HTTP_HOST=0.0.0.0 \
    SWC_NODE_PROJECT=/app/tsconfig.json
WORKDIR /app
COPY --from=deps /app/ ./
COPY tsconfig.json tsconfig.base.json .swcrc ./
COPY libs/ libs/
COPY migrations/ migrations/
COPY deploy/healthcheck.js deploy/healthcheck.js
# the app's files stay root-owned: the service user can read them, not change them
USER node
STOPSIGNAL SIGTERM

FROM runtime AS gateway
COPY apps/gateway/ apps/gateway/
# 3000: the API and Socket.IO; 3005: operations (health, metrics, API docs), keep it private
ENV FLIGHTDECK_GATEWAY_PORT=3000 HTTP_PORT=3005
EXPOSE 3000 3005
CMD ["node", "-r", "@swc-node/register", "apps/gateway/src/main.ts"]

FROM runtime AS deployment-orchestrator
COPY apps/deployment-orchestrator/ apps/deployment-orchestrator/
ENV HTTP_PORT=3001
EXPOSE 3001
CMD ["node", "-r", "@swc-node/register", "apps/deployment-orchestrator/src/main.ts"]

# the builder clones with git and runs the projects' own npm / yarn / pnpm (corepack ships with Node)
FROM runtime AS builder
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
USER node
COPY apps/builder/ apps/builder/
ENV HTTP_PORT=3002 \
    FLIGHTDECK_DATA_DIR=/data \
    FLIGHTDECK_EDGE_PORT=3080
VOLUME /data
EXPOSE 3002 3080
CMD ["node", "-r", "@swc-node/register", "apps/builder/src/main.ts"]

FROM runtime AS log-ingest
COPY apps/log-ingest/ apps/log-ingest/
ENV HTTP_PORT=3003
EXPOSE 3003
CMD ["node", "-r", "@swc-node/register", "apps/log-ingest/src/main.ts"]

FROM runtime AS environment-manager
COPY apps/environment-manager/ apps/environment-manager/
ENV HTTP_PORT=3004
EXPOSE 3004
CMD ["node", "-r", "@swc-node/register", "apps/environment-manager/src/main.ts"]
