# syntax=docker/dockerfile:1
# The Profile Service image: the API (`serve`, the default command) and every
# CLI command (`migrate`, `roles grant`, `media cleanup`, …) on Node.js 22.
#   docker build --platform linux/amd64 -t profile-service .
# See docs/deploy.md. Pin the base image by digest in your registry mirror
# (…-slim@sha256:…) for reproducible builds.
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Build: all dependencies, TypeScript → dist/, Lambda bundles.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# 2. Production dependencies only (no compiler, test or local-stack tools).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. Runtime: files owned by root and read-only to the unprivileged `node`
#    user the process runs as (the ECS task also mounts the root filesystem
#    read-only).
FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# For `docker run`; ECS relies on the load balancer's /readyz check instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli/main.js", "serve"]
