#!/bin/sh
# podman as the project's scripts run it: installed from Debian's packages when missing, with runc
# (crun, podman's default, fails on this kind of machine's cgroups) and no default ulimits (the
# defaults ask for more open files than a sandboxed runtime may grant). Arguments go to podman.
# busybox comes along: local-node-base.sh takes its shell and commands from it.
set -eu
if ! command -v podman > /dev/null || ! command -v runc > /dev/null || ! command -v busybox > /dev/null; then
  echo "installing podman, runc and busybox" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq podman runc busybox-static > /dev/null
fi
conf=/etc/containers/containers.conf
if ! grep -q '^default_ulimits = \[\]' "$conf" 2>/dev/null; then
  mkdir -p /etc/containers
  if grep -q '^\[containers\]' "$conf" 2>/dev/null; then
    sed -i 's/^\[containers\]$/[containers]\ndefault_ulimits = []/' "$conf"
  else
    printf '[containers]\ndefault_ulimits = []\n' >> "$conf"
  fi
fi
exec podman --runtime runc "$@"
