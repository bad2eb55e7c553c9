/**
 * The request headers of one delivery attempt, Standard Webhooks style; and, for a webhook that
 * asks for it, W3C `traceparent` / `tracestate` naming the attempt's span. Those are not signed
 * (the signature covers the id, the timestamp and the body), so adding them changes nothing a
 * receiver verifies.
 */
export function buildHeaders(input: {
  msgId: string;
  timestamp: number;
  signature: string;
  userAgent: string;
  traceContext?: Record<string, string>;
}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': input.signature,
    ...input.traceContext,
  };
}
