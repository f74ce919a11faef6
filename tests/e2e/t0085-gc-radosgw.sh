#!/usr/bin/env bash
# git mlv gc --remote against an s3:// store on a real radosgw server on
# loopback (tests/s3/server.sh), with pushes running at the same time.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/s3-lib.sh"

s3_start radosgw

. "$HERE/gc-suite.sh"

test_done
