#!/usr/bin/python3
"""Peer: an Approov-protected hello server written the way the Python quickstart does it:
http.server on a single-threaded socketserver.TCPServer (HTTP/1.0: one request per
connection) and PyJWT (Debian's python3-jwt) jwt.decode with HS256 only; the handler's access
log line on stderr for every request. 200 {"message": "Hello, World!"} or 401 {}.
Environment: APPROOV_BASE64_SECRET, HTTP_PORT (default 8002); listens on 127.0.0.1."""
import base64
import http.server
import json
import os
import socketserver
import sys

import jwt

SECRET_B64 = os.environ.get("APPROOV_BASE64_SECRET")
if not SECRET_B64:
    sys.exit("APPROOV_BASE64_SECRET is not set")
SECRET = base64.b64decode(SECRET_B64)
PORT = int(os.environ.get("HTTP_PORT", "8002"))


class Hello(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        token = self.headers.get("Approov-Token")
        try:
            if not token:
                raise jwt.InvalidTokenError("no Approov-Token header")
            jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return self.answer(401, {})
        return self.answer(200, {"message": "Hello, World!"})


if __name__ == "__main__":
    socketserver.TCPServer.allow_reuse_address = True
    with socketserver.TCPServer(("127.0.0.1", PORT), Hello) as server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
