#!/usr/bin/env bash
# Installs the Debian 12 packages ppad needs to build (libraries) and to test
# (the PyTorch oracle and friends). Run as root, or with sudo available.
set -euo pipefail
BUILD_PKGS="build-essential pkg-config libdnnl-dev libopenblas-openmp-dev libzip-dev libpng-dev libjpeg-dev zlib1g-dev libjson-c-dev libunistring-dev libdcmtk-dev"
TEST_PKGS="python3-torch python3-numpy python3-pil python3-scipy python3-skimage python3-sklearn python3-regex time chromium dcmtk python3-pydicom"
# make fuzz / the fuzz smoke run of make test: clang, libFuzzer's runtime, clang's OpenMP
TEST_PKGS="$TEST_PKGS clang libclang-rt-14-dev libomp-dev"
want=""
for p in $BUILD_PKGS ${PPAD_NO_TEST_DEPS:+} $([ -n "${PPAD_NO_TEST_DEPS:-}" ] || echo "$TEST_PKGS"); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want="$want $p"
done
if [ -n "$want" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing:$want" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $want
fi
