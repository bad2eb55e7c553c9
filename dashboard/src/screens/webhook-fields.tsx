import type { ErrorView } from '../errors.ts';
import { CheckboxField, TextField } from '../ui/fields.tsx';

export interface WebhookDraft {
  url: string;
  description: string;
  orderByCall: boolean;
}

/** The fields a webhook is created and edited with, and their errors from the API. */
export function WebhookFields({
  draft,
  onChange,
  error,
}: {
  draft: WebhookDraft;
  onChange: (draft: WebhookDraft) => void;
  error: ErrorView | undefined;
}) {
  const fields = error?.fields ?? {};
  return (
    <>
      <TextField
        label="URL"
        name="url"
        type="url"
        required
        placeholder="https://example.com/webhooks/hookline"
        value={draft.url}
        onInput={(url) => onChange({ ...draft, url })}
        error={fields.url}
      />
      <TextField
        label="Description"
        name="description"
        value={draft.description}
        onInput={(description) => onChange({ ...draft, description })}
        error={fields.description}
      />
      <CheckboxField
        label="Order by call"
        hint="Send each call's events one at a time, in order: the next once the one before has succeeded or ended."
        name="orderByCall"
        checked={draft.orderByCall}
        onChange={(orderByCall) => onChange({ ...draft, orderByCall })}
      />
    </>
  );
}
