import { useState } from 'preact/hooks';
import { DashboardWebhookHealthDocument, type StatsWindow } from '../../../generated/graphql.ts';
import { formatDuration } from '../../format.ts';
import { useQuery } from '../../hooks.ts';
import { SuccessRate } from '../../ui/badges.tsx';
import { Loaded } from '../../ui/feedback.tsx';
import { SelectField } from '../../ui/fields.tsx';
import { Card } from '../../ui/layout.tsx';
import { Time } from '../../ui/time.tsx';
import { useReloadOnChanges } from './delivery-changes.ts';

const WINDOWS: { value: StatsWindow; label: string; short: string }[] = [
  { value: 'LAST_HOUR', label: 'Last hour', short: 'the last hour' },
  { value: 'LAST_24_HOURS', label: 'Last 24 hours', short: '24 h' },
  { value: 'LAST_7_DAYS', label: 'Last 7 days', short: '7 days' },
];

const latency = (ms: number | null | undefined) => (ms == null ? '—' : formatDuration(ms));

/** Success rate, attempts, latency and the last error over a window the user picks. */
export function Health({ webhookId, changes }: { webhookId: string; changes: number }) {
  const [statsWindow, setStatsWindow] = useState<StatsWindow>('LAST_24_HOURS');
  const query = useQuery(DashboardWebhookHealthDocument, { id: webhookId, window: statsWindow });
  useReloadOnChanges(changes, query);
  const windowText = WINDOWS.find((w) => w.value === statsWindow)?.short ?? '';
  return (
    <Card
      id="health"
      title="Health"
      actions={
        <SelectField
          id="health-window"
          label="Over"
          compact
          value={statsWindow}
          choices={WINDOWS}
          onChange={setStatsWindow}
        />
      }
    >
      <Loaded query={query} data={query.data?.webhook?.stats} what="health">
        {(stats) => (
          <dl class="facts" data-testid="webhook-health">
            <div>
              <dt>Success rate</dt>
              <dd>
                <SuccessRate stats={stats} window={windowText} />
              </dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>
                {stats.attemptCount} ({stats.failureCount} failed)
              </dd>
            </div>
            <div>
              <dt>Latency p50 / p95</dt>
              <dd>
                {latency(stats.p50LatencyMs)} / {latency(stats.p95LatencyMs)}
              </dd>
            </div>
            <div>
              <dt>Last error</dt>
              <dd>
                {stats.lastError ? (
                  <>
                    {stats.lastError}
                    {stats.lastErrorAt && (
                      <>
                        {' '}
                        <span class="muted">
                          (<Time iso={stats.lastErrorAt} />)
                        </span>
                      </>
                    )}
                  </>
                ) : (
                  <span class="muted">None</span>
                )}
              </dd>
            </div>
          </dl>
        )}
      </Loaded>
    </Card>
  );
}
