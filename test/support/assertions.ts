import assert from 'node:assert/strict';
import { HooklineRequestError } from '@hookline/client';

/** Awaits a request that must fail with the given GraphQL error code; returns the error. */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
): Promise<HooklineRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(
      error instanceof HooklineRequestError,
      `expected a GraphQL error, got ${String(error)}`,
    );
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected the request to fail with ${code}, but it succeeded`);
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, intervalMs = 50, message = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${message}${lastError ? `: ${String(lastError)}` : ''}`);
}
