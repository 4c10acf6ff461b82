#!/usr/bin/env python3
"""A receiver for trying webhooks on your machine: answers every GET and POST with 200 and prints
what it got. Usage: python3 scripts/receiver.py [port]   (default 8000)"""
import http.server
import sys


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        print(f"{self.command} {self.path}  webhook-id: {self.headers.get('webhook-id')}", flush=True)
        if body:
            print(body.decode("utf-8", "replace"), flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"received\n")

    do_GET = do_POST

    def log_message(self, *args):
        pass  # the request is printed above, once


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
print(f"Receiving on http://127.0.0.1:{port}/ (Ctrl+C to stop)", flush=True)
http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
