#!/usr/bin/env bash
# Installs Debian's Chromium for the report's browser test (playwright-core drives it with
# executablePath /usr/bin/chromium; no browser is ever downloaded). Idempotent; needs root.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "setup: installing Debian chromium for the browser tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -o DPkg::Lock::Timeout=600 chromium >/dev/null
