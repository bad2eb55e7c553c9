import { useId } from 'preact/hooks';
import type { EventTypeInfo } from '../context.ts';

interface TextFieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'url' | 'password' | 'datetime-local' | 'number';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  name?: string;
}

/** A labelled input whose error and hint are tied to it for assistive technology. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint && hintId, props.error && errorId].filter(Boolean).join(' ');
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>
        {props.label}
        {!props.required && <span class="optional"> (optional)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        // Preact types each input type with its own attributes; these share the ones used.
        type={(props.type ?? 'text') as 'text'}
        inputMode={props.type === 'number' ? 'numeric' : undefined}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        spellcheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export interface Choice<V extends string> {
  value: V;
  label: string;
}

/** A labelled drop-down; `compact` for the small ones beside a heading or above a list. */
export function SelectField<V extends string>({
  id,
  label,
  value,
  choices,
  onChange,
  compact = false,
}: {
  id: string;
  label: string;
  value: V | undefined;
  choices: readonly Choice<V>[];
  onChange: (value: V) => void;
  compact?: boolean;
}) {
  return (
    <div class={compact ? 'field compact' : 'field'}>
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        // The options are the choices, so the value is one of them.
        onChange={(event) => onChange(event.currentTarget.value as V)}
      >
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Checkboxes for event types, in a fieldset so its legend names the group. */
export function EventCheckboxes({
  legend,
  eventTypes,
  value,
  onChange,
  error,
}: {
  legend: string;
  eventTypes: readonly EventTypeInfo[];
  value: readonly string[];
  onChange: (events: string[]) => void;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset
      class={`checkboxes${error ? ' has-error' : ''}`}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>{legend}</legend>
      {eventTypes.map((info) => (
        <label key={info.type} class="checkbox">
          <input
            type="checkbox"
            checked={value.includes(info.type)}
            onChange={(event) =>
              onChange(
                event.currentTarget.checked
                  ? eventTypes
                      .map((t) => t.type)
                      .filter((t) => t === info.type || value.includes(t))
                  : value.filter((t) => t !== info.type),
              )
            }
          />
          <span>
            {info.name}
            <span class="hint"> {info.description}</span>
          </span>
        </label>
      ))}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** One labelled checkbox, its hint beside the label (the markup of the event checkboxes). */
export function CheckboxField({
  label,
  hint,
  checked,
  onChange,
  name,
}: {
  label: string;
  hint?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
}) {
  return (
    <label class="checkbox">
      <input
        type="checkbox"
        name={name}
        checked={checked}
        onChange={(event) => onChange(event.currentTarget.checked)}
      />
      <span>
        {label}
        {hint && <span class="hint"> {hint}</span>}
      </span>
    </label>
  );
}
