import type { SettingName, SettingsDraft } from '../endpoint-settings.ts';
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

const SETTING_FIELDS: { name: SettingName; label: string; hint: string }[] = [
  {
    name: 'maxConcurrency',
    label: 'Attempts at once',
    hint: "Attempts in flight to this endpoint at the same time, at most. Empty: the server's default.",
  },
  {
    name: 'rateLimitPerSecond',
    label: 'Rate limit (per second)',
    hint: 'Attempts a second, at most; deliveries beyond it wait their turn, they do not fail. Empty: no limit.',
  },
  {
    name: 'timeoutMs',
    label: 'Timeout (ms)',
    hint: "How long one attempt may take, response included, up to the server's timeout. Empty: the server's timeout.",
  },
];

/** A webhook's delivery settings (concurrency, rate limit, timeout); empty means the default. */
export function SettingsFields({
  draft,
  onChange,
  error,
}: {
  draft: SettingsDraft;
  onChange: (draft: SettingsDraft) => void;
  error: ErrorView | undefined;
}) {
  const fields = error?.fields ?? {};
  return (
    <div class="settings-fields">
      {SETTING_FIELDS.map((field) => (
        <TextField
          key={field.name}
          label={field.label}
          name={field.name}
          type="number"
          hint={field.hint}
          value={draft[field.name]}
          onInput={(value) => onChange({ ...draft, [field.name]: value })}
          error={fields[field.name]}
        />
      ))}
    </div>
  );
}
