/** The request headers of one delivery attempt, Standard Webhooks style. */
export function buildHeaders(input: {
  msgId: string;
  timestamp: number;
  signature: string;
  userAgent: string;
}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'webhook-id': input.msgId,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': input.signature,
  };
}
