import { useState } from 'preact/hooks';
import {
  DashboardOverviewDocument,
  type DashboardOverviewQuery,
  type StatsWindow,
} from '../../generated/graphql.ts';
import { formatDuration } from '../format.ts';
import { useDocumentTitle, useQuery } from '../hooks.ts';
import { formatRate } from '../stats.ts';
import { EnabledBadge } from '../ui/badges.tsx';
import { EmptyState, Loaded } from '../ui/feedback.tsx';
import { Card } from '../ui/layout.tsx';
import { type Column, None, Table } from '../ui/tables.tsx';
import { Time } from '../ui/time.tsx';
import { TimelineCharts } from '../ui/timeline-charts.tsx';
import { WindowPicker, windowOf } from '../ui/window-picker.tsx';

type Failing = NonNullable<DashboardOverviewQuery['organization']>['failingWebhooks'][number];

/**
 * The first screen after signing in: how deliveries to all the organization's webhooks went
 * over a window (attempts and latency over time) and which webhooks failed most.
 */
export function OverviewScreen() {
  useDocumentTitle('Overview');
  const [statsWindow, setStatsWindow] = useState<StatsWindow>('LAST_24_HOURS');
  const query = useQuery(DashboardOverviewDocument, { window: statsWindow });
  const shown = windowOf(statsWindow);
  return (
    <section aria-labelledby="overview-title" class="stack">
      <div class="page-header">
        <h1 id="overview-title" tabIndex={-1}>
          Overview
        </h1>
        <div class="actions">
          <WindowPicker id="overview-window" value={statsWindow} onChange={setStatsWindow} />
          <button
            type="button"
            class="button small"
            disabled={query.loading}
            onClick={() => void query.reload()}
          >
            Refresh
          </button>
        </div>
      </div>
      <p class="lede">Deliveries to all your webhooks, and those that fail most.</p>
      <Loaded query={query} data={query.data?.organization} what="the overview">
        {(org) => (
          <>
            <Card id="activity" title="Attempts and latency">
              <TimelineCharts buckets={org.timeline} id="overview" />
            </Card>
            <Card id="failing" title="Webhooks that fail most">
              {org.failingWebhooks.length === 0 ? (
                <EmptyState>
                  <p>No webhook failed in {shown.phrase}.</p>
                </EmptyState>
              ) : (
                <Table
                  caption={`Webhooks with failed attempts in ${shown.phrase}, highest failure rate first`}
                  columns={FAILING_COLUMNS}
                  rows={org.failingWebhooks}
                  rowKey={(row) => row.webhook.id}
                  rowProps={(row) => ({ 'data-webhook-id': row.webhook.id })}
                  testId="failing-webhooks"
                />
              )}
            </Card>
          </>
        )}
      </Loaded>
    </section>
  );
}

const FAILING_COLUMNS: Column<Failing>[] = [
  {
    label: 'Webhook',
    cell: (row) => (
      <>
        <a class="url" href={`#/webhooks/${row.webhook.id}`}>
          {row.webhook.url}
        </a>
        {row.webhook.description && <p class="hint">{row.webhook.description}</p>}
        {!row.webhook.enabled && <EnabledBadge enabled={false} />}
      </>
    ),
  },
  {
    label: 'Failed',
    cellProps: () => ({ 'data-column': 'failed' }),
    cell: (row) => (
      <span class="rate rate-bad">
        <strong>{formatRate(row.failureRate)}</strong>{' '}
        <span class="muted">
          ({row.failureCount} of {row.attemptCount})
        </span>
      </span>
    ),
  },
  {
    label: 'p95 latency',
    cell: (row) => (row.p95LatencyMs === null ? <None /> : formatDuration(row.p95LatencyMs)),
  },
  {
    label: 'Last failure',
    cell: (row) => (row.lastErrorAt ? <Time iso={row.lastErrorAt} /> : <None />),
  },
];
