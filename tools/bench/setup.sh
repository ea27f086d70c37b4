#!/usr/bin/env bash
# Installs what the benchmarks compare against: Debian's PyTorch (reference models) with
# OpenBLAS (Debian's default reference BLAS makes PyTorch ~8x slower and the comparison unfair)
# and pandas (data-pipeline reference). Idempotent; needs root (apt-get).
set -euo pipefail
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
/usr/bin/python3 -c 'import pandas' 2>/dev/null || need+=(python3-pandas)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${need[@]}" >/dev/null
fi
