"""Verify Hookline webhooks in Python, with the standard library only.

Hookline signs per the Standard Webhooks spec: `webhook-signature` holds one or more
space-separated `v1,<base64>` signatures, each an HMAC-SHA256 over
`<webhook-id>.<webhook-timestamp>.<raw body>` keyed with the base64-decoded part of the
`whsec_...` secret. Several signatures appear while a rotated secret is in its grace period.

Run as a tiny receiver:  WEBHOOK_SECRET=whsec_... python3 verify_webhook.py 8000
It also answers call setups (requests with a hookline-call-setup-deadline header) with variables.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE_SECONDS = 5 * 60


class InvalidWebhook(Exception):
    pass


def verify(secret: str, headers, body: bytes) -> dict:
    """Returns the parsed message, or raises InvalidWebhook. `headers` is any case-insensitive mapping."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise InvalidWebhook("missing webhook headers")
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhook("timestamp outside the tolerance: possible replay")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(body)
    raise InvalidWebhook("no valid signature")


def is_call_setup(headers) -> bool:
    """A call setup (requestCallSetup) waits for the answer; any other delivery is a notification."""
    return headers.get("hookline-call-setup-deadline") is not None


def call_setup_answer(message: dict) -> dict:
    """How the call should go. Look the caller up in your CRM here; answer within the deadline."""
    caller = message["data"]["callerPhoneNumber"]
    return {
        "action": "continue",
        "variables": {"callerPhoneNumber": caller, "customerTier": "gold", "knownCaller": True},
    }


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            message = verify(os.environ["WEBHOOK_SECRET"], self.headers, body)
        except InvalidWebhook as error:
            self.send_response(400)
            self.end_headers()
            self.wfile.write(str(error).encode())
            return
        print(json.dumps({"verified": message["type"], "id": self.headers["webhook-id"]}), flush=True)
        if is_call_setup(self.headers):
            answer = json.dumps(call_setup_answer(message)).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        # Process `message` here; answer 2xx quickly, or Hookline retries.
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Receiver)
    print(f"listening on {server.server_port}", flush=True)
    server.serve_forever()
