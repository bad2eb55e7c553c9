import { useEffect, useState } from 'preact/hooks';

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

/** The button under a paged list, while the server has more of it. */
export function LoadMoreButton({
  list,
  label,
}: {
  list: { more: boolean; loadMore(): Promise<void> };
  label: string;
}) {
  if (!list.more) return null;
  return (
    <button type="button" class="button" onClick={() => void list.loadMore()}>
      {label}
    </button>
  );
}
