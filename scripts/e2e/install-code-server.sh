#!/usr/bin/env bash
# Installs code-server 4.100.3 (= VS Code 1.100.3; the newest code-server whose engines field is
# Node 20) from the npm registry into a cache folder outside the repo, for the e2e tests.
#
# Usage: scripts/e2e/install-code-server.sh [DEST]
#   DEST defaults to ${TRANSFER_LAB_E2E_CACHE:-$HOME/.cache/transfer-lab-e2e}/code-server-4.100.3
# Prints the path of the code-server binary as its last line.
#
# Idempotent: does nothing when DEST already holds a working install. The install is assembled in
# a staging folder and renamed into place only once `code-server --version` works, so an
# interrupted install is never mistaken for a good one.
#
# Needs (Debian): build-essential python3 pkg-config libkrb5-dev ripgrep; .ci/run installs them.
# Works without GitHub access: code-server's postinstall would otherwise fetch things from there.
set -euo pipefail

VERSION=4.100.3
CACHE=${TRANSFER_LAB_E2E_CACHE:-$HOME/.cache/transfer-lab-e2e}
DEST=${1:-$CACHE/code-server-$VERSION}
BIN="$DEST/node_modules/.bin/code-server"
WORK="$CACHE/tmp"   # scratch: TMPDIR of the install, ripgrep cache, code-server config for --version
mkdir -p "$CACHE" "$WORK"

# code-server writes ~/.config/code-server/config.yaml and ~/.local/share/code-server unless told
# otherwise; keep everything in the cache.
cs_version() {
  XDG_CONFIG_HOME="$WORK/xdg-config" XDG_DATA_HOME="$WORK/xdg-data" \
    "$1/node_modules/.bin/code-server" --config "$WORK/cs-version.yaml" --version 2>/dev/null | grep -F "$VERSION"
}

if [ -x "$BIN" ] && cs_version "$DEST" >/dev/null; then
  echo "code-server $VERSION already installed in $DEST" >&2
  echo "$BIN"
  exit 0
fi

# Two test runs starting at once must not install into the same staging folder.
exec 9>"$CACHE/install.lock"
flock 9
if [ -x "$BIN" ] && cs_version "$DEST" >/dev/null; then  # another run finished it meanwhile
  echo "$BIN"
  exit 0
fi

for tool in rg pkg-config make g++ python3; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (apt-get install ripgrep pkg-config build-essential python3 libkrb5-dev)" >&2; exit 1; }
done
[ -f /usr/include/gssapi/gssapi.h ] || echo "install-code-server: warning: libkrb5-dev looks missing; the kerberos module will not compile" >&2

export TMPDIR="$WORK"
# When run from `npm test`, npm's own settings are in the environment; the install must resolve
# its project from $STAGE, not from the repo that started the test run.
unset npm_config_local_prefix npm_config_global
# @vscode/ripgrep's postinstall downloads rg from api.github.com unless this tarball is already in
# its cache folder ($TMPDIR/vscode-ripgrep-cache-<its version>); feed it Debian's rg instead.
RGC="$TMPDIR/vscode-ripgrep-cache-1.15.11"
RGT="$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$RGT" ]; then
  mkdir -p "$RGC" "$TMPDIR/rgbuild"
  cp "$(command -v rg)" "$TMPDIR/rgbuild/rg"
  tar czf "$RGT.partial" -C "$TMPDIR/rgbuild" rg && mv "$RGT.partial" "$RGT"
fi

STAGE="$DEST.partial"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
printf '{ "name": "code-server-install", "private": true }\n' > package.json
echo "installing code-server@$VERSION into $DEST (about 1 min with a warm npm cache, 2 with a cold one)" >&2
# npm_config_unsafe_perm=true: code-server's postinstall.sh refuses to run as root without it.
# npm_config_yes=true: node-pty's postinstall runs `npx node-gyp ...`, which would otherwise ask.
# Prebuilt binaries of argon2/kerberos/node-pty/spdlog come from GitHub; offline they compile.
start=$(date +%s)
npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false \
  npm install --no-save --foreground-scripts --loglevel=error "code-server@$VERSION" >"$CACHE/install.log" 2>&1 || {
  echo "install-code-server: npm install failed; last lines of $CACHE/install.log:" >&2
  tail -40 "$CACHE/install.log" >&2
  exit 1
}
cs_version "$STAGE" >&2 || { echo "install-code-server: the installed code-server does not start; see $CACHE/install.log" >&2; exit 1; }
cd "$CACHE"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
echo "code-server $VERSION installed in $(( $(date +%s) - start )) s" >&2
echo "$BIN"
