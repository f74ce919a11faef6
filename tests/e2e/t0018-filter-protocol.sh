#!/usr/bin/env bash
# The long-running filter protocol spoken by hand, the way git speaks it
# (gitattributes(5), "Long Running Filter Process"): handshake, capability
# negotiation, requests that fail one at a time, and a broken stream that
# ends the process instead of hanging it.
. "$(dirname "$0")/lib.sh"

# pkt.py encode: a script on stdin to pkt-lines on stdout, one directive per
# line:  line TEXT (a text packet, LF added)  data TEXT (a packet, no LF)
#        file PATH (its content in packets)  flush  raw TEXT (bytes as is)
# pkt.py decode: pkt-lines on stdin to one line per packet: the text of a
#        key=value or git-filter-* packet, "0000" for flush, and for content
#        "<content N bytes>" per run of packets (saved to --content FILE).
#        Fails on malformed framing or a packet over 65520 bytes.
# pkt.py run SECONDS CMD...: feed stdin to CMD but keep its stdin open, and
#        wait SECONDS at most: exit with its status, 124 when it hung.
cat >pkt.py <<'EOF'
import re, subprocess, sys

MAX = 65520

def encode():
    out = sys.stdout.buffer
    for raw in sys.stdin.buffer.read().split(b"\n"):
        if not raw:
            continue
        word, _, arg = raw.partition(b" ")
        if word == b"flush":
            out.write(b"0000")
        elif word in (b"line", b"data"):
            payload = arg + (b"\n" if word == b"line" else b"")
            out.write(b"%04x" % (len(payload) + 4) + payload)
        elif word == b"file":
            content = open(arg, "rb").read()
            for i in range(0, len(content), MAX - 4):
                chunk = content[i:i + MAX - 4]
                out.write(b"%04x" % (len(chunk) + 4) + chunk)
        elif word == b"raw":
            out.write(arg)
        else:
            sys.exit("pkt.py: unknown directive %r" % word)

def decode(content_path):
    data = sys.stdin.buffer.read()
    content = open(content_path, "wb") if content_path else None
    i, run = 0, 0
    text = re.compile(rb"^([a-z-]+=[^\n]*|git-filter-(client|server))\n$")
    while i < len(data):
        if len(data) - i < 4:
            sys.exit("pkt.py: truncated header %r" % data[i:])
        n = int(data[i:i + 4], 16)
        if n == 0:
            if run:
                print("<content %d bytes>" % run)
                run = 0
            print("0000")
            i += 4
            continue
        if n < 4 or n > MAX or i + n > len(data):
            sys.exit("pkt.py: bad packet length %d at %d" % (n, i))
        payload = data[i + 4:i + n]
        i += n
        if not run and text.match(payload):
            print(payload.decode().rstrip("\n"))
        else:
            run += len(payload)
            if content:
                content.write(payload)
    if run:
        print("<content %d bytes>" % run)

def run(seconds, cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    p.stdin.write(sys.stdin.buffer.read())
    p.stdin.flush()
    try:
        sys.exit(p.wait(timeout=seconds))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        sys.exit(124)

if sys.argv[1] == "encode":
    encode()
elif sys.argv[1] == "decode":
    decode(sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--content" else None)
elif sys.argv[1] == "run":
    run(float(sys.argv[2]), sys.argv[3:])
EOF

pkt() {
	python3 "$TRASH/pkt.py" "$@"
}

# Feed the pkt-line script on stdin to a filter process in repo r, with a
# time limit; its decoded answer goes to ../out, stderr to ../err, content
# to ../content, exit status to ../rc.
talk() {
	pkt encode >../in &&
	{ timeout 20 git mlv filter-process <../in >../raw 2>../err; echo $? >../rc; } &&
	pkt decode --content ../content <../raw >../out
}

handshake() {
	printf "line git-filter-client\nline version=2\nflush\n" &&
	printf "line capability=%s\n" "$@" &&
	echo flush
}

test_expect_success 'setup: a repo and the protocol helper' '
	test_repo r &&
	printf "hello, filter\n" >hello &&
	test_random_file big 200000 big &&
	pkt encode <<-\EOT | pkt decode >out &&
	line git-filter-client
	flush
	EOT
	printf "git-filter-client\n0000\n" >expect &&
	cmp expect out
'

test_expect_success 'handshake: the filter answers version 2 and the capabilities it was offered' '
	cd r &&
	handshake clean smudge delay | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean capability=smudge capability=delay 0000 >../expect &&
	cmp ../expect ../out
'

test_expect_success 'handshake: only offered capabilities are answered' '
	cd r &&
	handshake clean | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean 0000 >../expect &&
	cmp ../expect ../out &&
	handshake smudge | talk &&
	printf "%s\n" git-filter-server version=2 0000 capability=smudge 0000 >../expect &&
	cmp ../expect ../out &&
	handshake delay | talk &&
	printf "%s\n" git-filter-server version=2 0000 capability=delay 0000 >../expect &&
	cmp ../expect ../out &&
	handshake clean | talk &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean 0000 >../expect &&
	cmp ../expect ../out
'

test_expect_success 'handshake: a client without version 2 is refused, not served' '
	cd r &&
	printf "line git-filter-client\nline version=3\nflush\nline capability=clean\nflush\n" | talk &&
	test "$(cat ../rc)" != 0 && test "$(cat ../rc)" != 124 &&
	! grep -q git-filter-server ../out &&
	grep -qi "version" ../err
'

test_expect_success 'clean: content in several packets comes back as its pointer' '
	cd r &&
	{ handshake clean smudge &&
	  printf "line command=clean\nline pathname=big.bin\nflush\nfile ../big\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean capability=smudge 0000 \
		status=success 0000 "<content $(git mlv pointer --file ../big | wc -c) bytes>" 0000 0000 >../expect &&
	cmp ../expect ../out &&
	git mlv pointer --file ../big | cmp - ../content &&
	cmp ../big "$(test_store_path "$(sha256sum <../big | cut -d" " -f1)")"
'

test_expect_success 'an unknown command gets status=error and the next clean is served' '
	cd r &&
	{ handshake clean smudge &&
	  printf "line command=frobnicate\nline pathname=x.bin\nflush\ndata junk\nflush\n" &&
	  printf "line command=clean\nline pathname=hello.bin\nflush\nfile ../hello\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean capability=smudge 0000 \
		status=error 0000 \
		status=success 0000 "<content $(git mlv pointer --file ../hello | wc -c) bytes>" 0000 0000 >../expect &&
	cmp ../expect ../out &&
	git mlv pointer --file ../hello | cmp - ../content &&
	grep -q frobnicate ../err
'

test_expect_success 'a command whose capability was not negotiated gets status=error' '
	cd r &&
	git mlv pointer --file ../hello >../hello.ptr &&
	{ handshake clean &&
	  printf "line command=smudge\nline pathname=hello.bin\nflush\nfile ../hello.ptr\nflush\n" &&
	  printf "line command=clean\nline pathname=hello.bin\nflush\nfile ../hello\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean 0000 \
		status=error 0000 \
		status=success 0000 "<content $(wc -c <../hello.ptr) bytes>" 0000 0000 >../expect &&
	cmp ../expect ../out
'

test_expect_success 'smudge: a pointer comes back as its content, in packets of at most 65520 bytes' '
	cd r &&
	git mlv pointer --file ../big >../big.ptr &&
	{ handshake clean smudge &&
	  printf "line command=smudge\nline pathname=big.bin\nflush\nfile ../big.ptr\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	printf "%s\n" git-filter-server version=2 0000 capability=clean capability=smudge 0000 \
		status=success 0000 "<content 200000 bytes>" 0000 0000 >../expect &&
	cmp ../expect ../out &&
	cmp ../big ../content
'

test_expect_success 'smudge of a pointer whose object is missing ends in status=error' '
	cd r &&
	printf "nowhere" >../nowhere &&
	git mlv pointer --file ../nowhere >../nowhere.ptr &&
	{ handshake clean smudge &&
	  printf "line command=smudge\nline pathname=gone.bin\nflush\nfile ../nowhere.ptr\nflush\n" &&
	  printf "line command=clean\nline pathname=hello.bin\nflush\nfile ../hello\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	sed -n "7,\$p" ../out >../tail &&
	grep -qx "status=error" ../tail &&
	! grep -q "<content 7 bytes>" ../tail &&
	tail -5 ../tail >../clean.out &&
	printf "%s\n" status=success 0000 "<content $(wc -c <../hello.ptr) bytes>" 0000 0000 >../expect &&
	cmp ../expect ../clean.out &&
	grep "gone.bin" ../err | grep -q "$(sha256sum <../nowhere | cut -d" " -f1)"
'

test_expect_success 'git closing the pipe between requests ends the process cleanly' '
	cd r &&
	{ handshake clean smudge &&
	  printf "line command=clean\nline pathname=hello.bin\nflush\nfile ../hello\nflush\n"; } | talk &&
	test "$(cat ../rc)" = 0 &&
	! test -s ../err
'

# Malformed streams: the process must exit non-zero on its own, promptly.
for bad in 'raw zzzz' 'raw 0003' 'raw fff1' 'raw 00' 'raw 0100short' 'data no-flush'; do
	test_expect_success "a malformed pkt-line ($bad) makes the filter exit non-zero" "
		cd r &&
		{ handshake clean smudge &&
		  printf 'line command=clean\nline pathname=x.bin\nflush\n%s\n' '$bad'; } | talk &&
		rc=\$(cat ../rc) &&
		test \$rc != 0 && test \$rc != 124 &&
		test -s ../err
	"
done

test_expect_success 'a malformed header exits at once even while git keeps the pipe open' '
	cd r &&
	{ handshake clean smudge && echo "raw zz!!"; } | pkt encode >../in &&
	rc=0 && pkt run 10 git mlv filter-process <../in >../raw 2>../err || rc=$? &&
	test $rc != 0 && test $rc != 124 &&
	grep -qi "pkt-line" ../err
'

test_expect_success 'an oversized length in the middle of content ends the process' '
	cd r &&
	{ handshake clean smudge &&
	  printf "line command=clean\nline pathname=x.bin\nflush\ndata some content\nraw ffffxxxx\n"; } |
		pkt encode >../in &&
	rc=0 && pkt run 10 git mlv filter-process <../in >../raw 2>../err || rc=$? &&
	test $rc != 0 && test $rc != 124 &&
	test -z "$(ls .git/mlv/tmp 2>/dev/null)"
'

test_done
