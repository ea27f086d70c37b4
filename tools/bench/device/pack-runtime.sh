#!/usr/bin/env bash
# Packs what `tools/bench/run.mjs` needs to run on a machine without Node or npm access (a lent
# accelerator host; such hosts are meant for accelerator work): this Node binary, a production install of
# the published @metaseries tarballs with tfjs and onnxruntime-node (linux-x64 binary only), and
# the bench scripts. Writes tools/bench/device/runtime.tar.xz (git-ignored, ~40 MB).
# There: tar xJf runtime.tar.xz -C /tmp && cd /tmp/rt && taskset -c 0,1 ./node bench/run.mjs --quick
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rt/bench" "$work/tarballs"
for p in core data encoders fusion eval pipeline; do
  (cd "$root/packages/$p" && npm pack --silent --pack-destination "$work/tarballs" >/dev/null)
done
deps=$(cd "$work/tarballs" && for f in *.tgz; do n=${f%-*.tgz}; n=${n#metaseries-}; printf '"@metaseries/%s":"file:%s",' "$n" "$work/tarballs/$f"; done)
cat > "$work/rt/package.json" <<JSON
{ "name": "metaseries-bench-runtime", "private": true, "type": "module",
  "dependencies": { ${deps} "@tensorflow/tfjs-core": "4.22.0", "@tensorflow/tfjs-layers": "4.22.0",
    "@tensorflow/tfjs-backend-cpu": "4.22.0", "@tensorflow/tfjs-backend-wasm": "4.22.0", "onnxruntime-node": "1.30.0" } }
JSON
(cd "$work/rt" && ONNXRUNTIME_NODE_INSTALL=skip npm install --omit=dev --no-audit --no-fund --ignore-scripts --prefer-offline >/dev/null)
# prune what Node never loads: other platforms' onnxruntime binaries, browser/ESM bundles, maps, types
ort="$work/rt/node_modules/onnxruntime-node/bin"
find "$ort" -mindepth 3 -maxdepth 3 -type d ! -path '*/linux/x64' -exec rm -rf {} + 2>/dev/null || true
find "$ort" -mindepth 2 -maxdepth 2 -type d ! -name linux -exec rm -rf {} + 2>/dev/null || true
find "$work/rt/node_modules" \( -name '*.map' -o -name '*.d.ts' -o -name '*.min.js' -o -name '*.es2017.js' -o -name '*.esm.js' -o -name '*.fesm.js' \) -delete
for d in "$work"/rt/node_modules/@tensorflow/*/dist; do rm -rf "$d"/*/ 2>/dev/null || true; done
for d in "$work"/rt/node_modules/@tensorflow/*/src; do rm -rf "$d"; done
cp "$root"/tools/bench/*.mjs "$work/rt/bench/" && cp -r "$root/tools/bench/reference" "$work/rt/bench/"
cp "$(command -v node)" "$work/rt/node"
tar -C "$work" -cJf "$root/tools/bench/device/runtime.tar.xz" rt
du -h "$root/tools/bench/device/runtime.tar.xz"
