#!/usr/bin/env bash
# Install what mlv needs to build and test on Debian 12, if it is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -eu

# scdoc builds the manual pages (make doc, make install); man-db shows
# them in the help tests.
build_pkgs="build-essential pkg-config git libgit2-dev libcurl4-openssl-dev
libssl-dev libinih-dev libjansson-dev libyaml-dev scdoc"
test_pkgs="libcmocka-dev git-lfs openssl python3 python3-jsonschema clang libclang-rt-14-dev graphviz
bash-completion man-db"
bench_pkgs="git-lfs time"
# Ceph's S3 gateway and the one-node cluster under it (tests/s3/server.sh).
s3_pkgs="radosgw ceph-mon ceph-osd"

case "${1:-build}" in
build) want=$build_pkgs ;;
test) want="$build_pkgs $test_pkgs $s3_pkgs" ;;
bench) want="$build_pkgs $bench_pkgs $s3_pkgs" ;;
s3) want=$s3_pkgs ;;
*) echo "usage: $0 [build|test|bench|s3]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mlv needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
