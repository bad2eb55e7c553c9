import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { type EventTypeInfo, eventTypeLabel, type Notice } from './context.ts';
import type { ErrorView } from './errors.ts';
import { formatDate, formatDateTime } from './format.ts';
import { type DeliveryStatusName, formatRate, healthOf } from './stats.ts';
import { verificationSnippets } from './verification-code.ts';

export function Time({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
  return (
    <time dateTime={iso} title={new Date(iso).toISOString()}>
      {dateOnly ? formatDate(iso) : formatDateTime(iso)}
    </time>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A request's failure, announced to screen readers, with a way to try again. */
export function ErrorMessage({ error, retry }: { error: ErrorView; retry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" class="button small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

interface TextFieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'url' | 'password' | 'datetime-local';
  required?: boolean;
  placeholder?: string;
  autoComplete?: string;
  name?: string;
}

/** A labelled input whose error and hint are tied to it for assistive technology. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint && hintId, props.error && errorId].filter(Boolean).join(' ');
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>
        {props.label}
        {!props.required && <span class="optional"> (optional)</span>}
      </label>
      <input
        id={id}
        name={props.name}
        // Preact types each input type with its own attributes; these four share the ones used.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        autoComplete={props.autoComplete ?? 'off'}
        spellcheck={false}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return (
    <span class={`badge ${enabled ? 'badge-good' : 'badge-off'}`}>
      {enabled ? 'Enabled' : 'Disabled'}
    </span>
  );
}

const DELIVERY_BADGE: Record<DeliveryStatusName, [string, string]> = {
  SUCCEEDED: ['badge-good', 'Succeeded'],
  FAILED: ['badge-bad', 'Failed'],
  PENDING: ['badge-warning', 'Pending'],
  HELD: ['badge-warning', 'Held'],
  CANCELLED: ['badge-off', 'Cancelled'],
};

export function DeliveryBadge({ status }: { status: DeliveryStatusName }) {
  const [tone, label] = DELIVERY_BADGE[status];
  return <span class={`badge ${tone}`}>{label}</span>;
}

/** The outcome of one HTTP attempt: its status code, or why none came. */
export function AttemptResult({
  responseStatus,
  errorKind,
}: {
  responseStatus: number | null | undefined;
  errorKind: string | null | undefined;
}) {
  if (responseStatus != null) {
    const ok = responseStatus >= 200 && responseStatus < 300;
    return <span class={`badge ${ok ? 'badge-good' : 'badge-bad'}`}>HTTP {responseStatus}</span>;
  }
  return <span class="badge badge-bad">{errorKind ?? 'no response'}</span>;
}

/** A webhook's attempt success rate over a window, from `Webhook.stats`. */
export function SuccessRate({
  stats,
  window,
}: {
  stats: { attemptCount: number; successCount: number; successRate?: number | null };
  window: string;
}) {
  if (stats.successRate == null) {
    return <span class="muted">No attempts in {window}</span>;
  }
  return (
    <span
      class={`rate rate-${healthOf(stats.successRate)}`}
      title={`${stats.successCount} of ${stats.attemptCount} attempts in ${window} answered 2xx`}
    >
      <strong>{formatRate(stats.successRate)}</strong>{' '}
      <span class="muted">
        ({stats.successCount} of {stats.attemptCount})
      </span>
    </span>
  );
}

export function EventChips({
  events,
  eventTypes,
}: {
  events: readonly string[];
  eventTypes: readonly EventTypeInfo[];
}) {
  return (
    <ul class="chips">
      {events.map((type) => (
        <li key={type} class="chip">
          {eventTypeLabel(eventTypes, type)}
        </li>
      ))}
    </ul>
  );
}

/** Checkboxes for event types, in a fieldset so its legend names the group. */
export function EventCheckboxes({
  legend,
  eventTypes,
  value,
  onChange,
  error,
}: {
  legend: string;
  eventTypes: readonly EventTypeInfo[];
  value: readonly string[];
  onChange: (events: string[]) => void;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset
      class={`checkboxes${error ? ' has-error' : ''}`}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>{legend}</legend>
      {eventTypes.map((info) => (
        <label key={info.type} class="checkbox">
          <input
            type="checkbox"
            checked={value.includes(info.type)}
            onChange={(event) =>
              onChange(
                event.currentTarget.checked
                  ? eventTypes
                      .map((t) => t.type)
                      .filter((t) => t === info.type || value.includes(t))
                  : value.filter((t) => t !== info.type),
              )
            }
          />
          <span>
            {info.name}
            <span class="hint"> {info.description}</span>
          </span>
        </label>
      ))}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Copies text to the clipboard, with a fallback where the Clipboard API is unavailable. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      class="button small"
      onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
      <span class="visually-hidden" aria-live="polite">
        {state === 'copied' ? ' Copied to the clipboard' : ''}
      </span>
    </button>
  );
}

/**
 * Tabs per the ARIA practice: arrow keys move between tabs, Tab moves into the panel.
 */
export function Tabs({
  label,
  tabs,
}: {
  label: string;
  tabs: { id: string; label: string; content: ComponentChildren }[];
}) {
  const baseId = useId();
  const [selected, setSelected] = useState(tabs[0]?.id);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const select = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (!tab) return;
    setSelected(tab.id);
    refs.current[tab.id]?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={label}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`${baseId}-${tab.id}-tab`}
            aria-selected={selected === tab.id}
            aria-controls={`${baseId}-${tab.id}-panel`}
            tabIndex={selected === tab.id ? 0 : -1}
            ref={(element) => {
              refs.current[tab.id] = element;
            }}
            onClick={() => setSelected(tab.id)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight') select(index + 1);
              else if (event.key === 'ArrowLeft') select(index - 1);
              else if (event.key === 'Home') select(0);
              else if (event.key === 'End') select(tabs.length - 1);
              else return;
              event.preventDefault();
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${baseId}-${tab.id}-panel`}
          aria-labelledby={`${baseId}-${tab.id}-tab`}
          hidden={selected !== tab.id}
        >
          {tab.content}
        </div>
      ))}
    </div>
  );
}

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

/** The app's notices: successes are announced politely, failures at once. */
export function Notices({
  notices,
  dismiss,
}: {
  notices: readonly Notice[];
  dismiss: (id: number) => void;
}) {
  return (
    <div class="notices">
      <div role="status" aria-live="polite">
        {notices
          .filter((n) => n.kind === 'success')
          .map((n) => (
            <NoticeItem key={n.id} notice={n} dismiss={dismiss} />
          ))}
      </div>
      <div role="alert">
        {notices
          .filter((n) => n.kind === 'error')
          .map((n) => (
            <NoticeItem key={n.id} notice={n} dismiss={dismiss} />
          ))}
      </div>
    </div>
  );
}

function NoticeItem({ notice, dismiss }: { notice: Notice; dismiss: (id: number) => void }) {
  return (
    <div class={`notice notice-${notice.kind}`}>
      <p>{notice.message}</p>
      <button
        type="button"
        class="button small ghost"
        aria-label="Dismiss message"
        onClick={() => dismiss(notice.id)}
      >
        ×
      </button>
    </div>
  );
}

/**
 * A modal confirmation on the native <dialog>: it traps focus, closes on Escape and returns
 * focus to the button that opened it.
 */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  danger,
  onClose,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean | undefined;
  onClose: (confirmed: boolean) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // Back to the button that asked, unless the action removed it (a deleted row).
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose(false);
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <p>{body}</p>
      <div class="actions">
        <button type="button" class="button" onClick={() => onClose(false)}>
          Cancel
        </button>
        <button
          type="button"
          class={`button ${danger ? 'danger' : 'primary'}`}
          onClick={() => onClose(true)}
        >
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
