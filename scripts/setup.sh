#!/usr/bin/env bash
# Installs everything Ironclad and its tests need on a Debian machine with Node >= 20 and npm:
# the Debian tools used as independent readers and runtimes, then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the web catalog's tests drive it headless through playwright-core. buildah: the dev-variant e2e test
# builds real multi-stage Dockerfiles against our images. qemu-user-static and binfmt-support: dev variants of
# foreign platforms are configured (dpkg --configure) under emulation. curl, redis-tools, postgresql-client: the
# application images' e2e test answers them with real clients. default-jre-headless: keytool reads the Java trust
# store the build writes.
debs=(runc skopeo umoci docker-registry xz-utils dpkg-dev mmdebstrap zstd debian-archive-keyring ca-certificates git chromium
  buildah qemu-user-static binfmt-support curl redis-tools postgresql-client default-jre-headless)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# binfmt_misc handlers need the filesystem mounted (containers without systemd do not mount it); the handlers
# are registered with the F flag, so they work inside runc containers too. Best effort: without it only
# foreign-platform dev builds are refused, with a message saying why.
if [ -d /proc/sys/fs/binfmt_misc ] && [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null && $SUDO update-binfmts --enable >&2 2>/dev/null || true
fi

# npm ci only when the installed tree does not match the lock (fast re-runs).
stamp=node_modules/.ironclad-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages" >&2
  # Some npm 11 setups record optional platform packages (biome's) in a way their own `npm ci` then rejects;
  # `npm install --no-save` installs the same locked versions without rewriting the lock.
  npm ci --no-audit --no-fund --loglevel=error >&2 2>/dev/null || npm install --no-save --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

# The CLI runs as compiled JavaScript (dist/); tsc is incremental, so an up-to-date tree costs a moment.
echo "setup: compiling the CLI" >&2
node_modules/.bin/tsc -p tsconfig.build.json
