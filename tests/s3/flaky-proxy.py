#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of a real S3 server, for tests.

    flaky-proxy.py LISTEN_PORT UPSTREAM_URL PORT_FILE

Forwards every request to UPSTREAM_URL unchanged (the Host header too, so
SigV4 signatures still verify upstream), except that the first attempt of
each distinct request (method, path and query) fails, in turn: a 503
SlowDown answer, a connection closed without any answer, and (for a GET)
the upstream answer cut off in the middle of its body. The second attempt
goes through. Writes the port it listens on to PORT_FILE and a line
per injected fault to stderr.
"""
import http.client
import http.server
import sys
import threading
import urllib.parse

seen = set()
lock = threading.Lock()
count = [0]


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        body = self.rfile.read(length) if length else b""
        key = (self.command, self.path)
        with lock:
            first = key not in seen
            seen.add(key)
            if first:
                count[0] += 1
                fault = count[0] % 3
        if first and fault == 2 and self.command == "GET":
            return self.forward(body, cut=True)
        if first:
            fault %= 2
            sys.stderr.write("fault %s %s\n" % (["drop", "503"][fault], self.path))
            if fault:
                out = b"<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>"
                self.send_response(503)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            else:
                self.close_connection = True
                self.connection.shutdown(2)
            return
        self.forward(body)

    def forward(self, body, cut=False):
        up = urllib.parse.urlsplit(UPSTREAM)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut and len(data) > 1:
            sys.stderr.write("fault cut %s\n" % self.path)
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any

    def log_message(self, *args):
        pass


UPSTREAM = sys.argv[2]
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy)
with open(sys.argv[3], "w") as f:
    f.write("%d\n" % server.server_address[1])
server.serve_forever()
