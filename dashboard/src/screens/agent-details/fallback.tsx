import { useId, useState } from 'preact/hooks';
import { DashboardUpdateAgentFallbackDocument } from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';
import { useAction } from '../../hooks.ts';
import { FormError, SubmitButton, submitting } from '../../ui/forms.tsx';
import { Card } from '../../ui/layout.tsx';
import type { Agent } from './agent.ts';
import { parseFallback } from './fallback-text.ts';

const FIELD = 'callSetupFallback';

/**
 * What a call setup answers when the agent's responder does not (or it has none): a JSON object
 * of names to strings, numbers or booleans, edited as text and checked before it is sent (the
 * API checks it again, and its message shows under the field).
 */
export function CallSetupFallback({ agent, onSaved }: { agent: Agent; onSaved: () => void }) {
  const { api, notify } = useSession();
  const id = useId();
  const saved = JSON.stringify(agent.callSetupFallback, null, 2);
  const [text, setText] = useState(saved);
  const [problem, setProblem] = useState<string | undefined>();
  const action = useAction();
  const error = problem ?? action.error?.fields[FIELD];
  const save = submitting(
    action,
    async () => {
      const parsed = parseFallback(text);
      setProblem(parsed.problem);
      if (parsed.problem !== undefined) return undefined;
      return api.request(DashboardUpdateAgentFallbackDocument, {
        input: { id: agent.id, callSetupFallback: parsed.value },
      });
    },
    () => {
      notify('success', 'Call-setup fallback saved');
      onSaved();
    },
  );
  return (
    <Card id="fallback" title="Call-setup fallback">
      <form class="form" aria-labelledby="fallback-title" onSubmit={save}>
        <div class={`field${error ? ' has-error' : ''}`}>
          <label for={id}>Variables</label>
          <textarea
            id={id}
            class="json"
            name={FIELD}
            spellcheck={false}
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
            onInput={(event) => {
              setText(event.currentTarget.value);
              setProblem(undefined);
            }}
          />
          <p class="hint" id={`${id}-hint`}>
            What a call setup answers when the responder does not answer in time or usably, or when
            the agent has none: a JSON object of names to strings, numbers or booleans.
          </p>
          {error && (
            <p class="field-error" id={`${id}-error`}>
              {error}
            </p>
          )}
        </div>
        <FormError error={action.error} besides={FIELD} />
        <div class="actions">
          <SubmitButton action={action} class="button small" disabled={text === saved}>
            Save fallback
          </SubmitButton>
        </div>
      </form>
    </Card>
  );
}
