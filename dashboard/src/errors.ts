import { ApiError } from './api.ts';

/** What a screen shows for a failed request: one sentence, and messages per input field. */
export interface ErrorView {
  message: string;
  code: string;
  /** BAD_USER_INPUT problems by field name (`url`, `events`, ...), as the API names them. */
  fields: Record<string, string>;
}

const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * Turns the API's error codes into sentences a person can act on. Server messages are kept
 * where they are already specific (CONFLICT and NOT_FOUND name the object and the reason).
 */
export function describeError(error: unknown): ErrorView {
  if (!(error instanceof ApiError)) {
    return {
      message: `Something went wrong in the dashboard: ${String(error)}`,
      code: 'CLIENT',
      fields: {},
    };
  }
  const view = (message: string, fields: Record<string, string> = {}): ErrorView => ({
    message,
    code: error.code,
    fields,
  });
  switch (error.code) {
    case 'BAD_USER_INPUT': {
      const fields: Record<string, string> = {};
      for (const problem of error.problems) {
        if (problem.field && !(problem.field in fields)) fields[problem.field] = problem.message;
      }
      if (error.problems.length === 0 && error.field) {
        fields[error.field] = error.message;
      }
      const names = Object.keys(fields);
      return view(
        names.length > 0
          ? `Please correct ${names.length === 1 ? 'this field' : 'these fields'}: ${names
              .map((name) => `${name} ${fields[name]}`)
              .join('; ')}.`
          : withStop(error.message),
        fields,
      );
    }
    case 'NOT_FOUND':
      return view(`${withStop(error.message)} It may have been deleted.`);
    case 'UNAUTHENTICATED':
      return view('Your API key was not accepted: it may have been revoked. Sign in again.');
    case 'FORBIDDEN':
      return view(`Not allowed: ${withStop(error.message)}`);
    case 'CONFLICT':
      return view(`Not possible right now: ${withStop(error.message)}`);
    case 'RATE_LIMITED': {
      const seconds = error.extensions.retryAfterSeconds;
      return view(
        typeof seconds === 'number'
          ? `Too many requests. Try again in ${seconds} s.`
          : 'Too many requests. Try again shortly.',
      );
    }
    case 'NETWORK':
      return view('Cannot reach Hookline. Check the connection and try again.');
    case 'INTERNAL':
      return view(
        'Hookline hit an internal error. Try again; if it persists, check the server logs.',
      );
    default:
      return view(`The request failed: ${withStop(error.message)}`);
  }
}
