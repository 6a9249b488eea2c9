#!/usr/bin/env bash
# Installs the Debian packages the VS Code tiers of the tests need, only those missing.
# Called by .ci/run and by `npm test` (scripts/test-all.mjs) before the e2e tiers.
set -euo pipefail
