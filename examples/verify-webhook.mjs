// Verify Hookline webhooks in Node.js with node:crypto only (or use the `standardwebhooks` package).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const TOLERANCE_SECONDS = 5 * 60;

/** Returns the parsed message, or throws. `headers` as Node gives them (lower-case names). */
export function verify(secret, headers, rawBody) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) throw new Error('missing webhook headers');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new Error('timestamp outside the tolerance: possible replay');
  }
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const candidate of signatures.split(' ')) {
    const [version, signature] = candidate.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    if (version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)) {
      return JSON.parse(rawBody.toString('utf8'));
    }
  }
  throw new Error('no valid signature');
}

/** A call setup (requestCallSetup) waits for the answer; any other delivery is a notification. */
export function isCallSetup(headers) {
  return headers['hookline-call-setup-deadline'] !== undefined;
}

/** How the call should go. Look the caller up in your CRM here; answer within the deadline. */
export function callSetupAnswer(message) {
  const caller = message.data.callerPhoneNumber;
  return {
    action: 'continue',
    variables: { callerPhoneNumber: caller, customerTier: 'gold', knownCaller: true },
  };
}

// Run as a tiny receiver: WEBHOOK_SECRET=whsec_... node verify-webhook.mjs 8000
// It also answers call setups (requests with a hookline-call-setup-deadline header) with variables.
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    try {
      const message = verify(process.env.WEBHOOK_SECRET, req.headers, Buffer.concat(chunks));
      console.log(JSON.stringify({ verified: message.type, id: req.headers['webhook-id'] }));
      if (isCallSetup(req.headers)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(callSetupAnswer(message)));
        return;
      }
      res.writeHead(204).end();
    } catch (error) {
      res.writeHead(400).end(String(error.message));
    }
  });
  server.listen(Number(process.argv[2] ?? 8000), '127.0.0.1', () => {
    console.log(`listening on ${server.address().port}`);
  });
}
