import { useState } from 'preact/hooks';
import { DashboardWebhookHealthDocument, type StatsWindow } from '../../../generated/graphql.ts';
import { formatDuration } from '../../format.ts';
import { useQuery } from '../../hooks.ts';
import { SuccessRate } from '../../ui/badges.tsx';
import { Loaded } from '../../ui/feedback.tsx';
import { Card } from '../../ui/layout.tsx';
import { Time } from '../../ui/time.tsx';
import { TimelineCharts } from '../../ui/timeline-charts.tsx';
import { WindowPicker, windowOf } from '../../ui/window-picker.tsx';
import { useReloadOnChanges } from './delivery-changes.ts';

const latency = (ms: number | null | undefined) => (ms == null ? '—' : formatDuration(ms));

/**
 * Success rate, attempts, latency and the last error over a window the user picks, and the same
 * window's attempts and latency over time as charts.
 */
export function Health({ webhookId, changes }: { webhookId: string; changes: number }) {
  const [statsWindow, setStatsWindow] = useState<StatsWindow>('LAST_24_HOURS');
  const query = useQuery(DashboardWebhookHealthDocument, { id: webhookId, window: statsWindow });
  const shown = windowOf(statsWindow);
  useReloadOnChanges(changes, query, shown.reloadEveryMs);
  const windowText = shown.short;
  return (
    <Card
      id="health"
      title="Health"
      actions={<WindowPicker id="health-window" value={statsWindow} onChange={setStatsWindow} />}
    >
      <Loaded query={query} data={query.data?.webhook} what="health">
        {({ stats, timeline }) => (
          <>
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
            <TimelineCharts buckets={timeline} id="health" />
          </>
        )}
      </Loaded>
    </Card>
  );
}
