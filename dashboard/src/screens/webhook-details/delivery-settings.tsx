import { formatSetting } from '../../format.ts';
import type { Webhook } from './webhook.ts';

/** How Hookline sends to this endpoint: attempts at once, rate limit, timeout. */
export function DeliverySettings({ webhook }: { webhook: Webhook }) {
  return (
    <section class="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Delivery settings</h2>
      <dl class="facts" data-testid="webhook-settings">
        <div>
          <dt>Attempts at once</dt>
          <dd data-setting="maxConcurrency">{webhook.maxConcurrency}</dd>
        </div>
        <div>
          <dt>Rate limit</dt>
          <dd data-setting="rateLimitPerSecond">
            {webhook.rateLimitPerSecond == null ? (
              <>
                No limit <span class="muted">(default)</span>
              </>
            ) : (
              `${webhook.rateLimitPerSecond} per second`
            )}
          </dd>
        </div>
        <div>
          <dt>Timeout</dt>
          <dd data-setting="timeoutMs">{formatSetting(webhook.timeoutMs)}</dd>
        </div>
      </dl>
    </section>
  );
}
