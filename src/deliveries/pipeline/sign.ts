import { Webhook } from 'standardwebhooks';
import { SECRET_PREFIX } from '../../webhooks/signing-secret.ts';

/**
 * The Standard Webhooks signature header value, made by the standard's own library. Several
 * secrets yield several signatures, space-separated, so a receiver keeps verifying while a
 * secret is being rotated (the library signs with one secret; the join is ours).
 */
export function sign(input: {
  secrets: readonly string[];
  msgId: string;
  timestamp: number;
  body: string;
}): string {
  if (input.secrets.length === 0) throw new Error('at least one signing secret is required');
  if (!Number.isInteger(input.timestamp)) {
    throw new Error('timestamp must be an integer number of unix seconds');
  }
  const at = new Date(input.timestamp * 1000);
  return input.secrets
    .map((secret) => {
      // The library would take any base64 as a key; ours always carry the prefix.
      if (!secret.startsWith(SECRET_PREFIX)) {
        throw new Error(`signing secret must start with "${SECRET_PREFIX}"`);
      }
      return new Webhook(secret).sign(input.msgId, at, input.body);
    })
    .join(' ');
}
