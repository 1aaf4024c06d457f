#!/usr/bin/env bash
# One-time set-up on a fresh machine: Debian packages the tests and the main job need
# (ONNX conformance data, Fashion-MNIST, a C compiler for the C target, clang/llvm for
# its ARM Cortex-M size check, lld (wasm-ld, ld.lld) for the wasm target and the Cortex-M
# firmware, qemu-system-arm to run that firmware, chromium for the browser tests — all
# without recommends), then the npm dependencies, the WASM kernels and the browser bundle.
# Idempotent: does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
command -v cc >/dev/null || need+=(gcc libc6-dev)
# Debian's unversioned clang/llvm (whatever version the release ships): the C target's
# ARM size check cross-compiles with clang and reads the object with llvm-size.
command -v clang >/dev/null || command -v clang-14 >/dev/null || need+=(clang)
command -v llvm-size >/dev/null || command -v llvm-size-14 >/dev/null || need+=(llvm)
# The wasm target links with wasm-ld and the firmware with ld.lld (both from lld, ~5 MB);
# the firmware runs in qemu-system-arm's mps2/mps3 boards (~45 MB with its libraries).
command -v ld.lld >/dev/null || command -v ld.lld-14 >/dev/null || need+=(lld)
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/build-browser.mjs  # builds the WASM kernels (runtime/wasm/build.mjs) first
