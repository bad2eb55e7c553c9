import { useSession } from '../../context.ts';
import type { ErrorView } from '../../errors.ts';
import { EventCheckboxes } from '../../ui/fields.tsx';
import { FormError } from '../../ui/forms.tsx';

/** The event types a subscription sends, with the attach request's error under them. */
export function EventsField({
  legend,
  value,
  onChange,
  error,
}: {
  legend: string;
  value: readonly string[];
  onChange: (events: string[]) => void;
  error: ErrorView | undefined;
}) {
  const { eventTypes } = useSession();
  return (
    <>
      <EventCheckboxes
        legend={legend}
        eventTypes={eventTypes}
        value={value}
        onChange={onChange}
        error={error?.fields.events}
      />
      <FormError error={error} besides="events" />
    </>
  );
}
