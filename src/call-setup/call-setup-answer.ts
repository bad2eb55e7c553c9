import { z } from 'zod';
import {
  type CallVariables,
  callVariablesSchema,
  MAX_CALL_VARIABLES_BYTES,
} from '../agents/call-variables.ts';
import type { SendOutcome } from '../delivery-client/index.ts';
import type { CallAction } from './call-setups.table.ts';

/**
 * What a responder may answer a call setup with: a 2xx whose body is this JSON object (both
 * fields optional), or an empty 2xx body, which means "continue, no variables". Unknown fields
 * are refused rather than ignored, so that a misspelt `variables` falls back visibly instead of
 * quietly configuring nothing.
 */
export const callSetupAnswerSchema = z
  .strictObject({
    variables: callVariablesSchema
      .describe('Variables for the call: names to strings, numbers or booleans.')
      .optional(),
    action: z
      .enum(['continue', 'reject'])
      .describe(
        'continue (the default) lets the call proceed; reject asks the platform to refuse it.',
      )
      .optional(),
  })
  .describe(
    `A call-setup responder's answer: the body of a 2xx response, at most ${MAX_CALL_VARIABLES_BYTES / 1024} KiB of JSON. An empty body means continue with no variables.`,
  );

/** The answer's JSON Schema (draft 2020-12), as published in the docs and by the API. */
export const CALL_SETUP_ANSWER_JSON_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze(
  z.toJSONSchema(callSetupAnswerSchema, { io: 'input' }),
);

/** What one response means for the call: an answer, or the reason the fallback applies. */
export type Interpretation =
  | { answered: true; action: CallAction; variables: CallVariables }
  | {
      answered: false;
      /** A short, stable code: timeout, http_status_503, invalid_json, blocked_address, ... */
      reason: string;
      /** For the attempt log: why a 2xx answer was not usable, if that is the reason. */
      refused?: { kind: string; message: string };
    };

/** Reads one try's response as the responder's answer. */
export function interpretResponse(outcome: SendOutcome): Interpretation {
  if (outcome.error) return { answered: false, reason: outcome.error.kind };
  if (!outcome.ok) return { answered: false, reason: `http_status_${outcome.status}` };
  const body = outcome.responseBody ?? '';
  if (body.trim() === '') return { answered: true, action: 'CONTINUE', variables: {} };
  if (Buffer.byteLength(body, 'utf8') > MAX_CALL_VARIABLES_BYTES) {
    return refused('answer_too_large', `the answer is over ${MAX_CALL_VARIABLES_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return refused('invalid_json', (error as Error).message);
  }
  const parsed = callSetupAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    return refused('invalid_answer', `${at}${issue.message}`);
  }
  return {
    answered: true,
    action: parsed.data.action === 'reject' ? 'REJECT' : 'CONTINUE',
    variables: parsed.data.variables ?? {},
  };
}

const refused = (reason: string, message: string): Interpretation => ({
  answered: false,
  reason,
  refused: { kind: reason, message },
});
