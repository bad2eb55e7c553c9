import { useState } from 'preact/hooks';
import { DashboardRotateWebhookSecretDocument } from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';
import { maskSecret } from '../../format.ts';
import { useAction } from '../../hooks.ts';
import { CopyButton } from '../../ui/buttons.tsx';
import { Card } from '../../ui/layout.tsx';
import { VerificationPanel } from '../../ui/verification-panel.tsx';
import type { ReplaceWebhook, Webhook } from './webhook.ts';

/** The secret, hidden until revealed, with copy and rotate, and the receiver code that uses it. */
export function SigningSecret({ webhook, replace }: { webhook: Webhook; replace: ReplaceWebhook }) {
  const { api, notify, confirm, canManage } = useSession();
  const [revealed, setRevealed] = useState(false);
  const [showCode, setShowCode] = useState(false);
  const action = useAction();
  const rotate = async () => {
    const ok = await confirm({
      title: 'Rotate the signing secret?',
      body: 'Hookline starts signing with a new secret now. For a grace period (24 hours by default) each delivery also carries a signature made with the old one, so update your receiver within it.',
      confirmLabel: 'Rotate secret',
    });
    if (!ok) return;
    const result = await action.run(
      () => api.request(DashboardRotateWebhookSecretDocument, { input: { id: webhook.id } }),
      { notifyErrors: true },
    );
    if (!result) return;
    replace(result.rotateWebhookSecret.webhook);
    setRevealed(true);
    notify('success', 'Signing secret rotated: the new one is shown.');
  };
  return (
    <Card id="secret" title="Signing secret">
      <p class="hint">Your receiver verifies the webhook-signature header with it.</p>
      <div class="secret-row">
        <code class="secret" data-testid="signing-secret">
          {revealed ? webhook.signingSecret : maskSecret(webhook.signingSecret)}
        </code>
        <div class="actions">
          <button
            type="button"
            class="button small"
            aria-pressed={revealed}
            onClick={() => setRevealed(!revealed)}
          >
            {revealed ? 'Hide' : 'Reveal'}
          </button>
          <CopyButton text={webhook.signingSecret} label="Copy" />
          {canManage && (
            <button
              type="button"
              class="button small"
              disabled={action.pending}
              onClick={() => void rotate()}
            >
              Rotate
            </button>
          )}
        </div>
      </div>
      <button
        type="button"
        class="button small ghost"
        aria-expanded={showCode}
        onClick={() => setShowCode(!showCode)}
      >
        {showCode ? 'Hide verification code' : 'Show verification code'}
      </button>
      {showCode && <VerificationPanel secret={webhook.signingSecret} />}
    </Card>
  );
}
