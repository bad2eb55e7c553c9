import { useEffect, useId, useRef } from 'preact/hooks';

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
