# One image for every service and the CLI; the command picks which one runs:
#   node services/collector/dist/main.js /etc/infra-report/config.yaml
#   node apps/cli/bin/infra-report.js trigger -c /etc/infra-report/config.yaml
#
# Node 24.18: later 24.x releases abort when V8 collects ssh2's native cipher objects
# (nodejs/node#65446). To pin the base image exactly, pass its digest (look it up with
# `docker buildx imagetools inspect node:24.18.1-bookworm-slim`):
#   docker build --build-arg NODE_DIGEST=sha256:... .
#
# Probes: every service answers GET /healthz (alive) and /readyz (can work: Redis answers) on
# its metrics port (collector 9464, renderer 9465, mailer 9466) or, for the API, on its port
# (8080). docker-compose.yml and the Helm chart use them; the image has no HEALTHCHECK of its
# own because one image runs four different services.
ARG NODE_VERSION=24.18.1
ARG NODE_DIGEST=

FROM node:${NODE_VERSION}-bookworm-slim${NODE_DIGEST:+@}${NODE_DIGEST} AS build
# Marks this stage's leftover image, so scripts/build-image.sh can remove it after a build.
LABEL org.infra-report.stage=build
# Compilers for ssh2's native cipher binding and cpu-features, against the Node headers the base
# image carries (/usr/local/include/node, so node-gyp needs no download). Without them ssh2 falls
# back to its pure-JS ciphers, several times slower per host. This stage only: the final image
# has no compiler.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/testkit/package.json packages/testkit/
COPY services/collector/package.json services/collector/
COPY services/renderer/package.json services/renderer/
COPY services/mailer/package.json services/mailer/
COPY services/api/package.json services/api/
COPY apps/cli/package.json apps/cli/
# Exactly the lock file's versions (ssh2's native cipher addon is built for this Node).
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages packages
COPY services services
COPY apps apps
# The test kit is built with the rest (one tsc -b) but never leaves this stage.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -f node_modules/@infra-report/testkit

FROM node:${NODE_VERSION}-bookworm-slim${NODE_DIGEST:+@}${NODE_DIGEST}
# A CJK font for the PDF (DejaVu, embedded from npm, covers Latin, Greek and Cyrillic).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production INFRA_REPORT_CONFIG=/etc/infra-report/config.yaml
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/packages/shared packages/shared
COPY --from=build /app/services services
COPY --from=build /app/apps apps
# uid 1000 ("node"), as the chart's securityContext expects; nothing here is writable by it.
USER 1000:1000
EXPOSE 8080 9464 9465 9466
CMD ["node", "apps/cli/bin/infra-report.js", "--help"]
