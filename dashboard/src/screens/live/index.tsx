import { useDocumentTitle, useLiveStatus } from '../../hooks.ts';
import type { LiveStatus } from '../../live-client.ts';
import type { LiveFilters } from '../../router.ts';
import { EmptyState } from '../../ui/feedback.tsx';
import { useAttemptFeed } from './attempt-feed.ts';
import { AttemptsTable } from './attempts-table.tsx';
import { FilterFields } from './filter-fields.tsx';

const STATUS_TEXT: Record<LiveStatus['state'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Every delivery attempt as it completes, filtered, with pause and clear. */
export function LiveScreen({ filters }: { filters: LiveFilters }) {
  useDocumentTitle('Live');
  const status = useLiveStatus();
  const feed = useAttemptFeed(filters);
  return (
    <section aria-labelledby="live-title">
      <div class="page-header">
        <h1 id="live-title" tabIndex={-1}>
          Live deliveries
        </h1>
        <p class={`live-status live-${status.state}`} role="status" data-testid="live-status">
          <span class="dot" aria-hidden="true" />
          {STATUS_TEXT[status.state]}
          {status.state === 'closed' && `: ${status.reason}`}
        </p>
      </div>
      <p class="lede">Every delivery attempt as it completes, newest first.</p>

      <form class="card filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <FilterFields filters={filters} />
        <div class="actions">
          {feed.paused ? (
            <button type="button" class="button" onClick={feed.resume}>
              Resume{feed.heldCount > 0 ? ` (${feed.heldCount} new)` : ''}
            </button>
          ) : (
            <button type="button" class="button" onClick={feed.pause}>
              Pause
            </button>
          )}
          <button
            type="button"
            class="button ghost"
            disabled={feed.attempts.length === 0}
            onClick={feed.clear}
          >
            Clear
          </button>
        </div>
      </form>

      {feed.problem && (
        <div class="error-box" role="alert">
          <p>{feed.problem}</p>
        </div>
      )}

      {feed.attempts.length === 0 ? (
        <EmptyState>
          <p>
            Waiting for delivery attempts{filtersText(filters)}. Send a test event from a{' '}
            <a href="#/webhooks">webhook's page</a> to see one arrive.
          </p>
        </EmptyState>
      ) : (
        <AttemptsTable attempts={feed.attempts} />
      )}
    </section>
  );
}

function filtersText(filters: LiveFilters): string {
  const parts = [
    filters.webhookId && 'this webhook',
    filters.agentId && 'this agent',
    filters.eventType && 'this event type',
  ].filter(Boolean);
  return parts.length ? ` of ${parts.join(', ')}` : '';
}
