#!/bin/sh
# Runs kustomize, installed first where it is missing: the Go tool, built through the Go module
# proxy into the project's own .tools/bin (git-ignored), at the version named here.
#   deploy/kubernetes/check/kustomize.sh build deploy/kubernetes/overlays/example
set -eu
version=v5.8.1
root=$(cd "$(dirname "$0")/../../.." && pwd)
bin="$root/.tools/bin"
if [ ! -x "$bin/kustomize" ] || [ "$("$bin/kustomize" version 2>/dev/null)" != "$version" ]; then
  command -v go > /dev/null || { echo "kustomize.sh: Go is needed to install kustomize $version" >&2; exit 1; }
  echo "installing kustomize $version into .tools/bin" >&2
  GOBIN="$bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$version"
fi
exec "$bin/kustomize" "$@"
