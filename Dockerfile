# syntax=docker/dockerfile:1
# Build: docker build -t eks-access-entry-controller .
# Base images are pinned by tag only: no registry is reachable where this was written, so their
# digests could not be looked up. A tag moves; a digest does not. To pin, where a registry is
# reachable, look each digest up and append it to the tag (Renovate and Dependabot then bump both):
#   crane digest node:24-bookworm-slim
#   skopeo inspect --format '{{.Digest}}' docker://docker.io/library/node:24-bookworm-slim
# FROM node:24-bookworm-slim@sha256:<digest printed above> AS build
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The node@24 devDependency is the npm-pinned runtime for development; the image has its own.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.ts ./scripts/
COPY src ./src
# tsc, then esbuild: dist/main.js is the controller in one file, which loads only what it calls
# of its libraries (BENCHMARKS.md, "A lean process").
RUN npm run build && npm prune --omit=dev --ignore-scripts

# The same for the runtime image (a multi-arch index digest, so every platform stays pinned):
#   crane digest gcr.io/distroless/nodejs24-debian12:nonroot
#   skopeo inspect --format '{{.Digest}}' docker://gcr.io/distroless/nodejs24-debian12:nonroot
# FROM gcr.io/distroless/nodejs24-debian12:nonroot@sha256:<digest printed above>
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# glibc gives each thread that allocates (libuv's pool, V8's workers) a malloc arena of its own
# and rarely returns their memory; two arenas took about 60 MiB off the RSS at 10,000 entries
# (BENCHMARKS.md), and bench/ runs the controller with it too.
ENV MALLOC_ARENA_MAX=2
# Allocations of 32 KiB and more (V8's compiler and parser zones, response bodies) are mapped
# and unmapped on their own instead of carved from glibc's heap, where a freed zone stays
# resident behind whatever was allocated after it: an idle controller held 25 MiB of such free
# heap (BENCHMARKS.md, "A lean process").
ENV MALLOC_MMAP_THRESHOLD_=32768
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Numeric, so the kubelet can verify runAsNonRoot: with a user name it refuses to start the pod.
# 65532 is distroless's nonroot user.
USER 65532:65532
# A young generation of 4 MiB semi-spaces holds the controller's RSS about 80 MiB lower than
# Node's default at 1,000 entries, for little CPU; and the old generation is collected once it
# has grown by half since the last collection, where V8 would let it grow up to fourfold between
# collections: the peak while creating 1,000 entries fell from 191 to 123 MiB for no more CPU
# (BENCHMARKS.md). bench/ runs it the same way.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/main.js"]
