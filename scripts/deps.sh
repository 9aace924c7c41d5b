#!/bin/sh
# Install what medkg needs to build, test, fuzz (clang with libFuzzer and
# its OpenMP runtime) and benchmark on Debian/Ubuntu.
# Used by 'make deps' and by CI (.ci/run). Needs root (uses sudo if present).
set -e
PACKAGES="build-essential pkg-config libsqlite3-dev libxml2-dev libpcre2-dev
libzstd-dev libxxhash-dev libjansson-dev libcsv-dev libinih-dev sqlite3 zstd time libxml2-utils
python3 python3-numpy libspng-dev libjpeg-dev python3-torch
clang libclang-rt-14-dev libomp-dev"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
echo "medkg build dependencies installed"
