import type { Notice } from '../context.ts';

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
