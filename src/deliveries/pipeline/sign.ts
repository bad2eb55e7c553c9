import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from '../../webhooks/signing-secret.ts';

function decodeSecret(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new Error(`signing secret must start with "${SECRET_PREFIX}"`);
  }
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('signing secret has an empty key');
  return key;
}

/**
 * Standard Webhooks signature header value. Several secrets yield several
 * signatures so a receiver keeps verifying while a secret is being rotated.
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
  const content = `${input.msgId}.${input.timestamp}.${input.body}`;
  return input.secrets
    .map(
      (secret) =>
        `v1,${createHmac('sha256', decodeSecret(secret)).update(content, 'utf8').digest('base64')}`,
    )
    .join(' ');
}
