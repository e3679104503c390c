# syntax=docker/dockerfile:1
#
# Nashra's production image: `docker build -t nashra .`, then
#   docker run -d -p 3000:3000 -v nashra-data:/data --name nashra nashra
# Without DATABASE_URL it keeps SQLite and the media files in the /data volume; with
# DATABASE_URL=postgres://… (and REDIS_URL for live fan-out across instances) it is stateless
# apart from the media files (docs/operations.md, docs/scaling.md).
# Other commands run the same way: `docker run --rm -v nashra-data:/data nashra migrate`.

# ——— build: dev dependencies, TypeScript compiled to dist/ ———
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build before the sources are copied, and the compiler needs no
# native module.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ——— production dependencies only ———
# On the full image, so better-sqlite3 can still compile if no prebuilt binary matches; sharp
# and @node-rs/argon2 come prebuilt as platform packages chosen by npm. Same Debian (bookworm)
# as the runtime stage, so the binaries link against the same glibc.
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild better-sqlite3 \
 && npm cache clean --force

# ——— runtime ———
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NASHRA_DATA_DIR=/data \
    XDG_CACHE_HOME=/tmp/.cache
# XDG_CACHE_HOME: sharp's fontconfig (used for the social-card images) keeps its cache there;
# the home directory is read-only to the server.
# `nashra backup`/`restore` on PostgreSQL run pg_dump/pg_restore, which slim lacks and which must
# be at least the server's major version. `--build-arg PG_CLIENT=1` adds Debian bookworm's
# (PostgreSQL 15); for a newer server, add the PGDG repository's client instead, or back up from
# a host that has it. SQLite backups need nothing.
ARG PG_CLIENT=0
RUN if [ "$PG_CLIENT" = "1" ]; then \
      apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*; \
    fi
RUN groupadd --system --gid 10001 nashra \
 && useradd --system --uid 10001 --gid nashra --home-dir /app --shell /usr/sbin/nologin nashra \
 && mkdir -p /data \
 && chown nashra:nashra /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# Read at run time: the stylesheets and the icon (src/web/reader/assets.ts, siteImages.ts).
COPY src/web/assets ./src/web/assets
# The code stays root-owned and read-only to the server; only /data is its to write.
USER nashra
VOLUME /data
EXPOSE 3000
# Liveness only (/healthz); slim has no curl, so Node asks. Assumes the server listens on
# 127.0.0.1 inside the container (HOST=0.0.0.0 or 127.0.0.1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `nashra serve` stops on SIGTERM within 10 s (in-flight requests finish, live readers are told
# to reconnect): give `docker stop` more than that, e.g. `docker stop -t 15`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/nashra.js"]
CMD ["serve"]
