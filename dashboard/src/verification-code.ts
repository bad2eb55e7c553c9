/**
 * Receiver code a developer can paste to verify Hookline's signatures, filled with a webhook's
 * secret. The scheme is Standard Webhooks': `webhook-signature` holds one or more space-separated
 * `v1,<base64>` values, each an HMAC-SHA256 of `${webhook-id}.${webhook-timestamp}.${body}` keyed
 * with the base64-decoded part of the secret after `whsec_`. Several values appear while a rotated
 * secret is in its grace period. test/dashboard checks both snippets against real deliveries.
 */
export interface VerificationSnippet {
  id: 'node' | 'python';
  label: string;
  filename: string;
  code: string;
}

/** The secret as a string literal of the target language; secrets are base64, but be safe. */
const literal = (secret: string) => JSON.stringify(secret);

export function nodeSnippet(secret: string): string {
  return `// Verifies Hookline webhooks with Node's standard library (Node 18+). Run: node receiver.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

// Keep the secret out of source control: prefer the environment variable.
const SECRET = process.env.HOOKLINE_WEBHOOK_SECRET ?? ${literal(secret)};
const TOLERANCE_SECONDS = 5 * 60;

/** True when one of the v1 signatures matches and the timestamp is recent. */
export function verifyWebhook(secret, headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return false;
  if (!/^\\d+$/.test(timestamp)) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(\`\${id}.\${timestamp}.\`)
    .update(rawBody)
    .digest();
  return signatures.split(' ').some((entry) => {
    const [version, signature = ''] = entry.split(',');
    const given = Buffer.from(signature, 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const rawBody = Buffer.concat(chunks);
  if (req.method !== 'POST' || !verifyWebhook(SECRET, req.headers, rawBody)) {
    res.writeHead(400).end('invalid signature');
    return;
  }
  const message = JSON.parse(rawBody.toString('utf8'));
  // webhook-id stays the same on every retry of a delivery: use it to skip duplicates.
  console.log('received', req.headers['webhook-id'], message.type);
  res.writeHead(204).end();
});
server.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(\`listening on \${server.address().port}\`);
});
`;
}

export function pythonSnippet(secret: string): string {
  return `# Verifies Hookline webhooks with Flask. Run: flask --app receiver run --port 3000
import base64
import hashlib
import hmac
import os
import time

from flask import Flask, abort, request

# Keep the secret out of source control: prefer the environment variable.
SECRET = os.environ.get("HOOKLINE_WEBHOOK_SECRET", ${literal(secret)})
TOLERANCE_SECONDS = 5 * 60


def verify_webhook(secret: str, headers, raw_body: bytes) -> bool:
    """True when one of the v1 signatures matches and the timestamp is recent."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures) or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


app = Flask(__name__)


@app.post("/webhooks/hookline")
def hookline_webhook():
    raw_body = request.get_data()
    if not verify_webhook(SECRET, request.headers, raw_body):
        abort(400)
    message = request.get_json()
    # webhook-id stays the same on every retry of a delivery: use it to skip duplicates.
    print("received", request.headers["webhook-id"], message["type"])
    return "", 204
`;
}

export function verificationSnippets(secret: string): VerificationSnippet[] {
  return [
    { id: 'python', label: 'Python (Flask)', filename: 'receiver.py', code: pythonSnippet(secret) },
    { id: 'node', label: 'Node.js', filename: 'receiver.mjs', code: nodeSnippet(secret) },
  ];
}
