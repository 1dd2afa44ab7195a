#!/bin/sh
# A Node base image made from this machine, for a machine that reaches no image registry:
#   infra/image/local-node-base.sh [NAME]     (NAME: localhost/orders-node-base:20 by default)
# It stands in for the official Node image the Dockerfile names (NODE_IMAGE): this machine's node
# (its version is checked against package.json's engines by npm) with the shared libraries ldd
# lists, npm, busybox for a shell and the usual commands, the certificates, and the official
# image's unprivileged user `node` (uid 1000) with its home. Imported with `podman import`.
set -eu
name=${1:-localhost/orders-node-base:20}
here=$(cd "$(dirname "$0")" && pwd)
podman="$here/podman.sh"
"$podman" --version > /dev/null # installs podman, runc and busybox where they are missing

node=$(command -v node)
node_real=$(readlink -f "$node")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT

mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/etc" \
  "$rootfs/bin" "$rootfs/usr/bin" "$rootfs/sbin" "$rootfs/usr/sbin" "$rootfs/etc/ssl/certs" \
  "$rootfs/home/node" "$rootfs/root" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
cp "$node_real" "$rootfs/usr/local/bin/node"
# The libraries node links to, at the paths the loader looks for them; and the rest of the C and
# C++ runtimes, which the build's native addons (Vite's bundler) load too.
libraries() {
  ldd "$node_real" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
  if command -v dpkg > /dev/null; then
    dpkg -L libc6 libstdc++6 libgcc-s1 2>/dev/null | grep -E '/lib[^/]*/([^/]+/)?[^/]+\.so(\.[0-9]+)*$' || true
  fi
}
for lib in $(libraries | sort -u); do
  [ -e "$lib" ] || continue
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
cp -R "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# busybox: sh, cp, mkdir, env... each a link to the one static binary.
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in $(busybox --list-full); do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
# npm and node trust the same certificates as this machine.
echo 'cafile=/etc/ssl/certs/ca-certificates.crt' > "$rootfs/usr/local/etc/npmrc"
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000::/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
node:x:1000:
nogroup:x:65534:
GROUP
chown 1000:1000 "$rootfs/home/node"

tar -C "$rootfs" -cf - . | "$podman" import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["node"]' \
  - "$name" > /dev/null
echo "$name: node $("$node" --version), npm $(npm --version)"
