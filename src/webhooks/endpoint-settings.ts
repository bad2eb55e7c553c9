import type { Config } from '../config/config.ts';
import { BadUserInputError, type FieldProblem } from '../shared/errors.ts';

/** A rate above this is no limit worth the name; beyond it, leave the limit off. */
export const MAX_RATE_LIMIT_PER_SECOND = 10_000;
/** Shorter than this, hardly any endpoint answers: more likely a unit mistake (seconds?). */
export const MIN_TIMEOUT_MS = 100;

/** A webhook's own delivery settings, as given on create or update (null: back to default). */
export interface EndpointSettingsInput {
  maxConcurrency?: number | null;
  rateLimitPerSecond?: number | null;
  timeoutMs?: number | null;
}

/**
 * Refuses settings outside what the operator allows, naming each field: concurrency within
 * HOOKLINE_ENDPOINT_MAX_CONCURRENCY, timeout within HOOKLINE_REQUEST_TIMEOUT_MS.
 */
export function assertEndpointSettings(input: EndpointSettingsInput, config: Config): void {
  const problems: FieldProblem[] = [];
  const check = (field: keyof EndpointSettingsInput, min: number, max: number, unit = '') => {
    const value = input[field];
    if (value === undefined || value === null) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, message: `must be a whole number from ${min} to ${max}${unit}` });
    }
  };
  check('maxConcurrency', 1, config.delivery.endpoints.maxConcurrency);
  check('rateLimitPerSecond', 1, MAX_RATE_LIMIT_PER_SECOND);
  check('timeoutMs', MIN_TIMEOUT_MS, config.delivery.requestTimeoutMs, ' ms');
  if (problems.length > 0) throw new BadUserInputError(problems);
}
