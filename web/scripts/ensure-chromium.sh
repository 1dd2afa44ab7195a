#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium (/usr/bin/chromium) with
# playwright-core: browsers cannot be downloaded here, so it comes from apt.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: /usr/bin/chromium is missing and this is not root." >&2
  echo "Install Debian's chromium package (sudo apt-get install -y chromium) and run the tests again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing and there is no apt-get to install it with." >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium for the end-to-end tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version
