import { type DocumentNode, type ExecutionArgs, Kind, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { toGraphQLError } from '../graphql/errors.ts';
import { BadUserInputError } from '../shared/errors.ts';

/**
 * Text PostgreSQL cannot store, in text or in jsonb: the NUL character (U+0000), and text that
 * is not well-formed Unicode (an unpaired surrogate such as "\ud800", which JSON escapes can
 * carry; UTF-8 has no encoding for it). Such an input would pass every check of ours and fail
 * only in the database, as an internal error; in a group-committed emit it would also fail its
 * neighbours' first try. So it is refused before anything runs, over HTTP and WebSocket alike,
 * as BAD_USER_INPUT naming where it was (a value or a key, at any depth).
 *
 * GraphQL documents need less: graphql's lexer already refuses unpaired surrogates in a
 * document (escaped or not), so only a NUL escaped in a literal is looked for there.
 */
export function useRejectUnstorableText(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = unstorableInput(args);
      if (problem) setResultAndStopExecution({ errors: [toGraphQLError(problem)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = unstorableInput(args);
      if (problem) setResultAndStopExecution({ errors: [toGraphQLError(problem)] });
    },
  };
}

export type TextProblem = 'nul' | 'not-unicode';

const MESSAGES: Record<TextProblem, string> = {
  nul: 'contains the NUL character (\\u0000), which cannot be stored',
  'not-unicode':
    'is not well-formed Unicode (it holds an unpaired surrogate, such as \\ud800), which cannot be stored',
};

/** What makes this text unstorable, if anything. */
export function textProblem(text: string): TextProblem | undefined {
  if (text.includes('\u0000')) return 'nul';
  if (!text.isWellFormed()) return 'not-unicode';
  return undefined;
}

function unstorableInput(args: ExecutionArgs): BadUserInputError | undefined {
  for (const [name, value] of Object.entries(args.variableValues ?? {})) {
    const found = findUnstorableText(value);
    if (!found) continue;
    // Inputs are objects (`$input`): name the field within, as every other input error does.
    const field = found.path.length > 0 ? found.path.join('.') : name;
    return new BadUserInputError([{ field, message: MESSAGES[found.problem] }]);
  }
  if (documentHasNul(args.document))
    return new BadUserInputError([{ field: '', message: MESSAGES.nul }]);
  return undefined;
}

interface Step {
  key: string;
  parent: Step | undefined;
}

/**
 * The path to the first unstorable text in a JSON value (in a key or a string), and what is
 * wrong with it; undefined if there is none. Iterative, since a hostile payload may nest ten
 * thousand levels deep.
 */
export function findUnstorableText(
  value: unknown,
): { path: string[]; problem: TextProblem } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem && { path: [], problem };
  }
  // Only objects and arrays wait their turn; strings are looked at as they are met.
  const pending: Array<{ value: object; at: Step | undefined }> = [];
  if (value !== null && typeof value === 'object') pending.push({ value, at: undefined });
  while (pending.length > 0) {
    const { value: current, at } = pending.pop()!;
    for (const [key, item] of Object.entries(current)) {
      const problem =
        textProblem(key) ?? (typeof item === 'string' ? textProblem(item) : undefined);
      if (problem) return { path: pathOf({ key, parent: at }), problem };
      if (item !== null && typeof item === 'object')
        pending.push({ value: item, at: { key, parent: at } });
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
