import { verificationSnippets } from '../verification-code.ts';
import { CopyButton } from './buttons.tsx';
import { Tabs } from './tabs.tsx';

/** Receiver code in Python and Node, with this webhook's secret filled in. */
export function VerificationPanel({ secret }: { secret: string }) {
  return (
    <section class="verification" aria-label="Verification code">
      <p>
        Each delivery is signed the{' '}
        <a href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">
          Standard Webhooks
        </a>{' '}
        way: <code>webhook-signature</code> holds <code>v1,&lt;base64&gt;</code> values, each an
        HMAC-SHA256 of{' '}
        {/* biome-ignore lint/suspicious/noTemplateCurlyInString: the formula, shown as is. */}
        <code>{'${webhook-id}.${webhook-timestamp}.${body}'}</code> keyed with the base64-decoded
        secret after <code>whsec_</code>. Verify it before trusting the body:
      </p>
      <Tabs
        label="Verification code"
        tabs={verificationSnippets(secret).map((snippet) => ({
          id: snippet.id,
          label: snippet.label,
          content: (
            <div class="code-block">
              <div class="code-toolbar">
                <span class="muted">{snippet.filename}</span>
                <CopyButton text={snippet.code} label="Copy code" />
              </div>
              <pre>
                <code data-snippet={snippet.id}>{snippet.code}</code>
              </pre>
            </div>
          ),
        }))}
      />
    </section>
  );
}
