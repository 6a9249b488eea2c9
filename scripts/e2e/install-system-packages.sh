#!/usr/bin/env bash
# Installs the Debian packages the tests need, only those missing.
# Called by .ci/run and by `npm test` (scripts/test-all.mjs) when Chromium or clang is not there.
set -euo pipefail
# chromium: the browser Playwright drives (playwright-core downloads none).
# libkrb5-dev, pkg-config: compile code-server's `kerberos` module (its prebuilt comes from GitHub).
# ripgrep: Debian's rg stands in for the one @vscode/ripgrep would download from GitHub.
# build-essential, python3: node-gyp, for code-server's other native modules.
# clang, lld: the build tier recompiles the WebAssembly kernel to check the committed one.
PACKAGES=(chromium libkrb5-dev pkg-config ripgrep build-essential python3 clang lld)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (unattended-upgrades...) may hold the lock: wait for it rather than fail.
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q "${missing[@]}"
else
  echo "apt: ${PACKAGES[*]} already installed"
fi
