#!/usr/bin/env bash
# Start and stop real S3 servers on loopback for mlv's tests.
#
#   tests/s3/server.sh start radosgw|moto DIR
#   tests/s3/server.sh stop DIR
#   tests/s3/server.sh install
#
# start keeps all of the server's state in DIR (created if missing), waits
# until it answers, creates the bucket mlv-test and writes DIR/env, shell lines
# that point the AWS variables (and nothing in ~/.aws) at it:
#
#   tests/s3/server.sh start radosgw "$tmp" && . "$tmp/env" &&
#   aws s3 ls "s3://$MLV_TEST_S3_BUCKET"
#
# If the server does not come up, start stops what it began and exits non-zero
# naming the part that failed and the end of its log (all logs: DIR/log/).
# stop ends exactly the processes start recorded in DIR/*.pid; running it again
# does nothing. install installs the Ceph packages radosgw needs.
#
# radosgw is Ceph's S3 gateway from Debian 12's packages, on a private cluster
# of one monitor and one OSD that keeps objects in memory (memstore, up to
# 6 GiB; the OSD takes about 1.6 bytes of memory per byte stored). It checks
# SigV4 signatures, payload hashes and Content-MD5. moto_server is a Python
# fake of AWS that takes any keys and checks none of these: a second
# implementation to run the same tests against, which proves nothing about
# signing.
#
# What the servers do, as seen from curl (radosgw 16.2.15, moto 5.2.1). A
# conditional PUT:
#
#   header                          radosgw   moto
#   If-Match: "etag", matching      412       200
#   If-Match: etag, matching        200       200
#   If-Match: "etag" or etag, stale 412       412
#   If-Match: *, key exists         200       412
#   If-Match: any, key missing      412       404 NoSuchKey
#   If-None-Match: *, key exists    412       412
#   If-None-Match: *, key missing   200       200
#   If-None-Match: etag, matching   412       200
#   If-None-Match: "etag", matching 200       200
#   If-None-Match: etag, missing    412       200
#
# So send If-Match with the ETag unquoted (radosgw compares the header's bytes
# with its stored, unquoted ETag; AWS and moto take both forms), and treat 412
# and 404 alike as "the object changed". Use If-None-Match only with "*".
# radosgw checks the condition after it has read the whole body. On
# CompleteMultipartUpload radosgw ignores both headers and moto honours only
# If-None-Match: *, so only a single PUT is conditional on both.
#
# Other things a client meets:
# - Path-style URLs only (http://127.0.0.1:PORT/mlv-test/key): no DNS name is
#   configured for virtual-hosted buckets.
# - radosgw does not check the region in the SigV4 scope; us-east-1 is used
#   everywhere because a bucket created there sends no LocationConstraint.
# - radosgw needs x-amz-content-sha256 on every request (403
#   SignatureDoesNotMatch without it), verifies a hex payload hash (400
#   XAmzContentSHA256Mismatch) and Content-MD5 (400 BadDigest), accepts
#   UNSIGNED-PAYLOAD, and its error bodies have an empty <Message>: report
#   the <Code>. A wrong secret gets 403 SignatureDoesNotMatch.
# - Both answer "Expect: 100-continue" with 100 Continue. radosgw refuses a
#   PUT without Content-Length (Transfer-Encoding: chunked) with 411
#   MissingContentLength; moto takes it.
# - moto reads a body sent as application/x-www-form-urlencoded (curl -d's
#   default) as a form and stores nothing: send application/octet-stream.
set -eu

bucket=mlv-test
access_key=MLVTESTKEY000000000000
secret_key=mlvtestsecret000000000000000000000000000
region=us-east-1
memstore_bytes=$((6 << 30))

usage() {
	echo "usage: $0 start radosgw|moto DIR | stop DIR | install" >&2
	exit 2
}

# die MESSAGE [LOG]: say what went wrong, with the end of LOG, and exit.
die() {
	echo "server.sh: $1" >&2
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "--- last lines of $2 ---" >&2
		tail -n 25 "$2" >&2
	fi
	exit 1
}

need() {
	command -v "$1" >/dev/null || die "$1 not found: $2"
}

# proc_state PID: the process's state letter and start time (clock ticks
# after boot). Pid and start time name one process even once the pid is reused.
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	# shellcheck disable=SC2086
	set -- $stat
	echo "$1 ${20}"
}

# spawn NAME COMMAND...: run COMMAND in the background, appending its output
# to $dir/log/NAME.log, and record it in $dir/NAME.pid.
spawn() {
	local name=$1 state
	shift
	"$@" >>"$dir/log/$name.log" 2>&1 </dev/null &
	state=$(proc_state $!)
	echo "$! ${state#* }" >"$dir/$name.pid"
	disown $!
}

# running NAME: whether the process recorded in $dir/NAME.pid is still alive.
running() {
	local pid start state
	[ -f "$dir/$1.pid" ] || return 1
	read -r pid start <"$dir/$1.pid"
	state=$(proc_state "$pid")
	[ -n "$state" ] && [ "${state#* }" = "$start" ] && [ "${state%% *}" != Z ]
}

# stop_one NAME SIGNAL: send SIGNAL to NAME's process, wait up to 10 s for it
# to end, then kill it. The pid file goes once the process has gone.
stop_one() {
	local pid
	[ -f "$dir/$1.pid" ] || return 0
	read -r pid _ <"$dir/$1.pid"
	if running "$1"; then
		kill "-$2" "$pid" 2>/dev/null || true
		for _ in $(seq 100); do
			running "$1" || break
			sleep 0.1
		done
		if running "$1"; then
			kill -KILL "$pid" 2>/dev/null || true
			for _ in $(seq 50); do
				running "$1" || break
				sleep 0.1
			done
		fi
		if running "$1"; then
			echo "server.sh: $1 (pid $pid) does not end" >&2
			return 0
		fi
	fi
	rm -f "$dir/$1.pid"
}

# The gateway goes before the cluster under it. The OSD is killed outright: a
# clean stop would make memstore write every object it holds into $dir.
stop_all() {
	stop_one client.rgw TERM
	stop_one osd.0 KILL
	stop_one mon.a TERM
	stop_one moto TERM
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on, below the
# kernel's range for outgoing connections (32768 up) so that no client
# connection takes it before the server binds it.
free_port() {
	python3 -c '
import random, socket
while True:
    port = random.randrange(20000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break'
}

# listens NAME PORT: whether NAME's own process listens on 127.0.0.1:PORT.
# A connection test would also pass for another server that took PORT.
listens() {
	local pid addr inodes inode
	read -r pid _ <"$dir/$1.pid"
	addr=$(printf '0100007F:%04X' "$2")
	inodes=$(awk -v a="$addr" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	for inode in $inodes; do
		find "/proc/$pid/fd" -lname "socket:\[$inode\]" 2>/dev/null | grep -q . &&
			return 0
	done
	return 1
}

# wait_port NAME PORT SECONDS: wait until NAME listens on PORT. Returns 1 if a
# process start recorded has ended (its name in $dead); fails after SECONDS.
wait_port() {
	local deadline=$((SECONDS + $3)) pidfile
	while ! listens "$1" "$2"; do
		for pidfile in "$dir"/*.pid; do
			dead=$(basename "$pidfile" .pid)
			running "$dead" || return 1
		done
		[ "$SECONDS" -lt "$deadline" ] ||
			die "$1 is not listening on 127.0.0.1:$2 after $3 s" "$dir/log/$1.log"
		sleep 0.1
	done
	dead=
}

# lost_port NAME: whether NAME ended because its port was taken meanwhile.
lost_port() {
	[ "$dead" = "$1" ] && grep -q 'Address already in use' "$dir/log/$1.log"
}

write_ceph_conf() {
	cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $1
mon_host = v2:127.0.0.1:$2
public_addr = 127.0.0.1
ms_bind_msgr1 = false
# A port taken meanwhile: fail at once, start picks another.
ms_bind_retry_count = 1
ms_bind_retry_delay = 0
# No cephx: the cluster lives for one test run and listens on loopback only.
# msgr2's "secure" mode needs cephx, so connections use "crc".
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
ms_client_mode = crc
# Everything stays in $dir: nothing in /etc/ceph, /var/lib/ceph, /var/log/ceph.
run_dir = $dir
admin_socket =
crash_dir = $dir/crash
log_file = $dir/log/\$name.log
mon_cluster_log_to_file = false
# One OSD holds the only copy; few placement groups per pool peer in a moment.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0

[mon]
mon_data = $dir/mon
# The monitor would shut down when the disk under $dir is 95% full.
mon_data_avail_crit = 0
# Commit map changes at once, not once a second: radosgw waits for a few
# maps per pool it creates.
paxos_propose_interval = 0.01
paxos_min_wait = 0.01

[osd]
osd_data = $dir/osd
osd_objectstore = memstore
memstore_device_bytes = $memstore_bytes

[client.rgw]
rgw_data = $dir/rgw
# Reclaim deleted and overwritten objects within a minute, not hours, so that
# a long run does not fill the memstore.
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
EOF
}

# start_radosgw: bring up a monitor, an OSD and radosgw with the test user.
# Sets $port.
start_radosgw() {
	local c fsid mon_port osd_uuid
	for c in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
		need "$c" "run '$0 install'"
	done
	mkdir -p "$dir/crash" "$dir/osd" "$dir/rgw"
	fsid=$(cat /proc/sys/kernel/random/uuid)

	for _ in 1 2 3; do
		mon_port=$(free_port)
		write_ceph_conf "$fsid" "$mon_port"
		rm -rf "$dir/mon" && mkdir "$dir/mon" && : >"$dir/log/mon.a.log"
		monmaptool --create --clobber --fsid "$fsid" \
			--addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" \
			>>"$dir/log/mon.a.log" 2>&1 ||
			die "cannot write the ceph monitor map" "$dir/log/mon.a.log"
		ceph-mon -c "$dir/ceph.conf" -i a --mkfs --monmap "$dir/monmap" \
			>>"$dir/log/mon.a.log" 2>&1 ||
			die "cannot create the ceph monitor's store" "$dir/log/mon.a.log"
		spawn mon.a ceph-mon -c "$dir/ceph.conf" -i a -d
		wait_port mon.a "$mon_port" 20 && break
		lost_port mon.a || die "ceph-mon exited" "$dir/log/mon.a.log"
		stop_one mon.a TERM
	done
	[ -z "$dead" ] || die "ceph-mon found no free port" "$dir/log/mon.a.log"

	osd_uuid=$(cat /proc/sys/kernel/random/uuid)
	ceph -c "$dir/ceph.conf" --connect-timeout 20 osd new "$osd_uuid" 0 \
		>/dev/null 2>>"$dir/log/client.admin.log" ||
		die "the ceph monitor does not answer" "$dir/log/client.admin.log"
	ceph-osd -c "$dir/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" \
		>>"$dir/log/osd.0.log" 2>&1 ||
		die "cannot create the ceph OSD's store" "$dir/log/osd.0.log"
	spawn osd.0 ceph-osd -c "$dir/ceph.conf" -i 0 -d

	# radosgw creates its pools before it listens: that waits for the OSD.
	for _ in 1 2 3; do
		port=$(free_port) && : >"$dir/log/client.rgw.log"
		spawn client.rgw radosgw -c "$dir/ceph.conf" -n client.rgw -d \
			--rgw-frontends "beast endpoint=127.0.0.1:$port"
		wait_port client.rgw "$port" 60 && break
		lost_port client.rgw ||
			die "radosgw did not come up: ceph's $dead exited" "$dir/log/$dead.log"
		stop_one client.rgw TERM
	done
	[ -z "$dead" ] || die "radosgw found no free port" "$dir/log/client.rgw.log"

	radosgw-admin -c "$dir/ceph.conf" user create --uid mlv-test \
		--display-name "mlv tests" \
		--access-key "$access_key" --secret-key "$secret_key" \
		>/dev/null 2>>"$dir/log/client.admin.log" ||
		die "radosgw-admin cannot create the test user" "$dir/log/client.admin.log"
}

# start_moto: bring up moto_server. Sets $port.
start_moto() {
	need moto_server "pip install 'moto[server]'"
	mkdir -p "$dir/tmp"
	for _ in 1 2 3; do
		port=$(free_port) && : >"$dir/log/moto.log"
		# moto spools large objects to temporary files: keep them in $dir.
		spawn moto env TMPDIR="$dir/tmp" moto_server -H 127.0.0.1 -p "$port"
		wait_port moto "$port" 30 && break
		lost_port moto || die "moto_server exited" "$dir/log/moto.log"
		stop_one moto TERM
	done
	[ -z "$dead" ] || die "moto_server found no free port" "$dir/log/moto.log"
}

# write_env KIND FILE: the shell lines that point AWS clients at the server,
# and an AWS config of our own so that ~/.aws is never read.
write_env() {
	mkdir -p "$dir/aws"
	printf '[default]\nregion = %s\ns3 =\n    addressing_style = path\n' \
		"$region" >"$dir/aws/config"
	: >"$dir/aws/credentials"
	{
		echo "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN"
		printf 'export %s=%q\n' \
			AWS_ACCESS_KEY_ID "$access_key" \
			AWS_SECRET_ACCESS_KEY "$secret_key" \
			AWS_REGION "$region" \
			AWS_DEFAULT_REGION "$region" \
			AWS_ENDPOINT_URL "http://127.0.0.1:$port" \
			AWS_CONFIG_FILE "$dir/aws/config" \
			AWS_SHARED_CREDENTIALS_FILE "$dir/aws/credentials" \
			AWS_EC2_METADATA_DISABLED true \
			MLV_TEST_S3_BUCKET "$bucket" \
			MLV_TEST_S3_KIND "$1"
	} >"$2"
}

start() {
	local kind=$1 port dead='' pidfile
	case "$kind" in
	radosgw | moto) ;;
	*) usage ;;
	esac
	need aws "pip install awscli"
	need python3 "run scripts/setup.sh test"
	mkdir -p "$dir/log"
	dir=$(cd "$dir" && pwd)
	for pidfile in "$dir"/*.pid; do
		[ -f "$pidfile" ] || continue
		running "$(basename "$pidfile" .pid)" &&
			die "$dir already has a running server: run '$0 stop $dir' first"
		rm -f "$pidfile"
	done
	rm -f "$dir/env"
	# Whatever ends start early stops what it began.
	trap 'stop_all; rm -f "$dir/env.tmp"' EXIT
	trap 'die "interrupted"' INT TERM

	"start_$kind"

	write_env "$kind" "$dir/env.tmp"
	# The first object write makes radosgw create its data pool, a pause
	# better taken here than in the first test.
	(
		# shellcheck disable=SC1091
		. "$dir/env.tmp" &&
			aws s3 mb "s3://$bucket" &&
			aws s3 cp "$dir/aws/config" "s3://$bucket/server.sh-warm-up" &&
			aws s3 rm "s3://$bucket/server.sh-warm-up"
	) >>"$dir/log/aws.log" 2>&1 ||
		die "cannot create bucket $bucket on $kind at 127.0.0.1:$port" "$dir/log/aws.log"
	mv "$dir/env.tmp" "$dir/env"
	trap - EXIT INT TERM
}

case "${1:-}" in
start)
	[ $# -eq 3 ] || usage
	dir=$3
	start "$2"
	;;
stop)
	[ $# -eq 2 ] || usage
	dir=$2
	[ -d "$dir" ] || exit 0
	stop_all
	! ls "$dir"/*.pid >/dev/null 2>&1
	;;
install)
	[ $# -eq 1 ] || usage
	exec "$(dirname "$0")/../../scripts/setup.sh" s3
	;;
*) usage ;;
esac
