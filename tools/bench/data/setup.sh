#!/usr/bin/env bash
# Installs what the data benchmark compares against: Debian's pandas (python3-pandas), run with
# /usr/bin/python3. Idempotent; needs root (apt-get), as tools/bench/setup.sh.
set -euo pipefail
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  echo "bench:data setup: installing python3-pandas" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 python3-pandas >/dev/null
fi
