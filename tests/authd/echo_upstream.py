#!/usr/bin/env python3
"""Upstream for the proxy tests: answers every request with 200 (or the status in a request
header X-Echo-Status) and a JSON echo of the method, path and headers it received (header names lowercased, all values kept, so a
duplicated or forged header is visible). Prints its port on stdout. Usage: echo_upstream.py"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive with the proxies

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        body = json.dumps({"method": self.command, "path": self.path,
                           "headers": headers}).encode()
        # X-Echo-Status: N answers with status N (the API's own error answers, which the
        # proxy must pass through unchanged).
        status = int(self.headers.get("X-Echo-Status") or 200)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = answer

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
