#!/usr/bin/env bash
# The remote suite against an s3:// store on a real radosgw server on loopback,
# started for this script and stopped at its end (tests/s3/server.sh).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/s3-lib.sh"

s3_start radosgw

. "$HERE/remote-suite.sh"
. "$HERE/s3-suite.sh"

test_done
