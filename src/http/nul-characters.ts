import { type DocumentNode, type ExecutionArgs, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { BadUserInputError } from '../shared/errors.ts';

/**
 * PostgreSQL cannot store the NUL character (U+0000), in text or in jsonb. An input holding one
 * would pass every check of ours and fail only in the database, as an internal error; in a
 * group-committed emit it would also fail its neighbours' first try. So it is refused before
 * anything runs, over HTTP and WebSocket alike, as BAD_USER_INPUT naming where it was.
 */
export function useRejectNulCharacters(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = nulProblem(args);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = nulProblem(args);
      if (problem) setResultAndStopExecution({ errors: [problem] });
    },
  };
}

const MESSAGE = 'contains the NUL character (\\u0000), which cannot be stored';

function nulProblem(args: ExecutionArgs): BadUserInputError | undefined {
  for (const [name, value] of Object.entries(args.variableValues ?? {})) {
    const path = pathToNul(value);
    if (!path) continue;
    // Inputs are objects (`$input`): name the field within, as every other input error does.
    const field = path.length > 0 ? path.join('.') : name;
    return new BadUserInputError([{ field, message: MESSAGE }]);
  }
  if (documentHasNul(args.document))
    return new BadUserInputError([{ field: '', message: MESSAGE }]);
  return undefined;
}

interface Step {
  key: string;
  parent: Step | undefined;
}

/**
 * The path to the first NUL in a JSON value (in a key or a string); undefined if there is none.
 * Iterative, since a hostile payload may nest ten thousand levels deep.
 */
export function pathToNul(value: unknown): string[] | undefined {
  const pending: Array<{ value: unknown; at: Step | undefined }> = [{ value, at: undefined }];
  while (pending.length > 0) {
    const { value: current, at } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return pathOf(at);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    for (const [key, item] of Object.entries(current)) {
      const step = { key, parent: at };
      if (key.includes('\u0000')) return pathOf(step);
      pending.push({ value: item, at: step });
    }
  }
  return undefined;
}

function pathOf(step: Step | undefined): string[] {
  const path: string[] = [];
  for (let s = step; s; s = s.parent) path.unshift(s.key);
  return path;
}

/** Only an escape (`\u0000`, `\u{0}`) puts a NUL in a literal: most documents have none at all. */
function documentHasNul(document: DocumentNode): boolean {
  const source = document.loc?.source.body;
  if (source !== undefined && !source.includes('\\u')) return false;
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}
