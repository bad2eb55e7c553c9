import { DashboardLiveFiltersDocument } from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';
import { useQuery } from '../../hooks.ts';
import { hrefOf, type LiveFilters } from '../../router.ts';
import { type Choice, SelectField } from '../../ui/fields.tsx';

/**
 * The feed's filters: a webhook, an agent, an event type. They live in the URL, so that a
 * filtered feed can be bookmarked; choosing one changes the URL.
 */
export function FilterFields({ filters }: { filters: LiveFilters }) {
  const { eventTypes } = useSession();
  const choices = useQuery(DashboardLiveFiltersDocument, {});
  const webhooks = choices.data?.webhooks.edges.map((e) => e.node) ?? [];
  const agents = choices.data?.agents.edges.map((e) => e.node) ?? [];
  const setFilter = (name: keyof LiveFilters, value: string) => {
    const next: LiveFilters = { ...filters };
    if (value) next[name] = value;
    else delete next[name];
    location.hash = hrefOf({ name: 'live', filters: next });
  };
  return (
    <>
      <SelectField
        id="live-webhook"
        label="Webhook"
        value={filters.webhookId ?? ''}
        choices={withAll(
          'All webhooks',
          filters.webhookId,
          webhooks.map((w) => ({ value: w.id, label: w.url })),
        )}
        onChange={(value) => setFilter('webhookId', value)}
      />
      <SelectField
        id="live-agent"
        label="Agent"
        value={filters.agentId ?? ''}
        choices={withAll(
          'All agents',
          filters.agentId,
          agents.map((a) => ({ value: a.id, label: a.name })),
        )}
        onChange={(value) => setFilter('agentId', value)}
      />
      <SelectField
        id="live-event-type"
        label="Event type"
        value={filters.eventType ?? ''}
        choices={withAll(
          'All event types',
          undefined,
          eventTypes.map((info) => ({ value: info.type, label: info.name })),
        )}
        onChange={(value) => setFilter('eventType', value)}
      />
    </>
  );
}

/**
 * The choices of a filter: everything first, then the known values, and the current value even
 * when it is not among them (an id from a bookmarked URL), so that the filter shows it.
 */
function withAll(
  allLabel: string,
  current: string | undefined,
  known: Choice<string>[],
): Choice<string>[] {
  const unknown = current && !known.some((choice) => choice.value === current);
  return [
    { value: '', label: allLabel },
    ...(unknown ? [{ value: current, label: current }] : []),
    ...known,
  ];
}
