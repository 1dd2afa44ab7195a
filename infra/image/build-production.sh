#!/bin/sh
# The production artifacts, made the one way both the Dockerfile and test/deploy use:
#   infra/image/build-production.sh OUT
# builds the project (the dashboard with Vite, the server and the processor bundled by
# infra/build-services.ts) and lays out in OUT what the image runs, nothing else:
#   OUT/server/dist, OUT/processor/dist   the bundles (the project's own code, @orders/core inside)
#   OUT/infra/payments/dist               the payment service's bundle (the stand-in provider)
#   OUT/web/dist                          the dashboard, served by the server at /
#   OUT/web/src/gql/persisted-documents.json  the dashboard's operations by id (PERSISTED_DOCUMENTS_FILE)
#   OUT/node_modules                      the libraries the bundles import, the production ones only
#   OUT/start.mjs, OUT/healthcheck.mjs    the image's entry (server | processor) and health check
# The package.json files come along: npm needs them to install from the lockfile, and the services
# find their folders (and the dashboard beside them) by the nearest package.json.
# POSIX sh, so that it runs on a base image without bash.
set -eu
out=${1:?usage: build-production.sh OUT}
cd "$(dirname "$0")/../.."

npm ci --no-audit --no-fund
npm run build

rm -rf "$out"
mkdir -p "$out"
cp package.json package-lock.json "$out/"
for workspace in core server processor web infra; do
  mkdir -p "$out/$workspace"
  cp "$workspace/package.json" "$out/$workspace/"
done
cp -R server/dist "$out/server/dist"
cp -R processor/dist "$out/processor/dist"
mkdir -p "$out/infra/payments"
cp -R infra/payments/dist "$out/infra/payments/dist"
cp -R web/dist "$out/web/dist"
mkdir -p "$out/web/src/gql"
cp web/src/gql/persisted-documents.json "$out/web/src/gql/"
cp infra/image/start.mjs infra/image/healthcheck.mjs "$out/"

# The bundles leave every library as an import (infra/build-services.ts): the server's, the
# processor's and @orders/core's dependencies, without the development ones and without running
# any package's install scripts.
cd "$out"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  --workspace @orders/core --workspace @orders/server --workspace @orders/processor --workspace @orders/infra
