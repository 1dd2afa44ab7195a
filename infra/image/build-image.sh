#!/bin/sh
# Builds the project's image with podman on this machine:
#   infra/image/build-image.sh [TAG] [NODE_IMAGE]
# TAG: localhost/orders-realtime:local by default. NODE_IMAGE: the Dockerfile's default (the
# official Node image) when a registry is reachable; here none is, so by default the local base
# that local-node-base.sh makes from this machine's Node. The build's network is the host's, so
# that npm ci reaches the package registry.
set -eu
tag=${1:-localhost/orders-realtime:local}
base=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$base" ]; then
  base=localhost/orders-node-base:20
  "$here/local-node-base.sh" "$base"
fi
# The docker format keeps the HEALTHCHECK (the OCI format has no field for it).
exec "$here/podman.sh" build --format docker --network=host \
  --build-arg "NODE_IMAGE=$base" --tag "$tag" "$here/../.."
