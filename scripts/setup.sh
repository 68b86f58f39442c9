#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine (Node 20 and python3 already present) to run and test
# Airlock: system packages, pnpm, then the workspace dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages Airlock needs at run time (the sandbox and the Python libraries scripts use)
# and at test time. Installed only when something is missing.
# util-linux: setpriv and unshare (every launcher); iproute2: the network namespace the egress
# tests create; python3-setuptools/-wheel: offline builds of the test suites' source packages.
APT_PACKAGES=(bubblewrap passt python3 python3-venv python3-pip python3-setuptools python3-wheel
  python3-httpx python3-requests python3-seccomp python3-yaml util-linux iproute2
  ca-certificates g++ make curl openssl jq)
# Chromium drives the admin UI's browser tests (never downloaded by playwright).
if [ "${AIRLOCK_SETUP_NO_BROWSER:-}" != 1 ]; then APT_PACKAGES+=(chromium); fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The sandbox's network mode `full` (an API mode the probe suite tests; the server itself uses
# only `none` and `egress`) runs pasta as an unprivileged uid, which opens
# /dev/net/tun inside its own namespace: the device must be usable by other users, as udev's
# default rule (0666) makes it. Some VM images leave it 0600.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  echo "setup: making /dev/net/tun usable by unprivileged users (mode 0666, the usual default)"
  "${sudo_cmd[@]}" chmod 0666 /dev/net/tun
fi

# pnpm, at the version package.json pins.
want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  echo "setup: installing pnpm@$want_pnpm"
  "${sudo_cmd[@]}" npm install -g --silent "pnpm@$want_pnpm"
fi

# better-sqlite3 builds from source; point node-gyp at the headers of the Node we run on so it
# never tries to download them (there may be no network path to the headers).
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

frozen=--frozen-lockfile
[ "${AIRLOCK_SETUP_UNFROZEN:-}" = 1 ] && frozen=
pnpm install $frozen
echo "setup: done"
