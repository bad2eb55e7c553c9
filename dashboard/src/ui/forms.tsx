import type { ComponentChildren } from 'preact';
import type { ErrorView } from '../errors.ts';
import type { Action } from '../hooks.ts';
import { ErrorMessage } from './feedback.tsx';

/**
 * A form's submit handler: sends `request` through `action`, which shows a failure in the form,
 * then hands the result to `done`. After a failure, focus moves to the first field marked
 * invalid. A request that resolves to undefined (nothing to send) counts as not done.
 */
export function submitting<T>(
  action: Action,
  request: () => Promise<T | undefined>,
  done: (result: T) => void,
) {
  return async (event: { preventDefault(): void; currentTarget: HTMLFormElement }) => {
    event.preventDefault();
    const form = event.currentTarget;
    const result = await action.run(request);
    if (result === undefined) form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    else done(result);
  };
}

/** A form's submit button, disabled while its request runs, saying so if `pendingLabel`. */
export function SubmitButton({
  action,
  class: className,
  pendingLabel,
  disabled = false,
  children,
}: {
  action: Action;
  class: string;
  pendingLabel?: string;
  disabled?: boolean;
  children: ComponentChildren;
}) {
  return (
    <button type="submit" class={className} disabled={disabled || action.pending}>
      {action.pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

/**
 * A form's failure as a whole. With `besides`, only when that field is not already showing it
 * next to itself.
 */
export function FormError({ error, besides }: { error: ErrorView | undefined; besides?: string }) {
  if (!error || (besides && error.fields[besides])) return null;
  return <ErrorMessage error={error} />;
}
