import type { ErrorView } from '../errors.ts';
import { ErrorMessage } from './feedback.tsx';

/**
 * A form's submit handler: runs `submit` (which resolves to undefined when it failed and showed
 * why), and after a failure moves focus to the first field marked invalid.
 */
export function submitting(submit: () => Promise<unknown>) {
  return async (event: { preventDefault(): void; currentTarget: HTMLFormElement }) => {
    event.preventDefault();
    const form = event.currentTarget;
    if ((await submit()) === undefined) {
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    }
  };
}

/**
 * A form's failure as a whole. With `besides`, only when that field is not already showing it
 * next to itself.
 */
export function FormError({ error, besides }: { error: ErrorView | undefined; besides?: string }) {
  if (!error || (besides && error.fields[besides])) return null;
  return <ErrorMessage error={error} />;
}
