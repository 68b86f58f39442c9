import { type ReactNode, useEffect, useRef } from 'react';

/**
 * An inline confirmation step: focus moves to it, Escape or "Cancel" backs out. Inline rather
 * than a modal so it needs no focus trap and stays next to what it is about.
 */
export function Confirm({
  title,
  children,
  confirmLabel,
  danger = false,
  pending = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <div
      className={danger ? 'confirm danger' : 'confirm'}
      role="alertdialog"
      aria-labelledby="confirm-title"
      tabIndex={-1}
      ref={ref}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <h3 id="confirm-title">{title}</h3>
      {children}
      <div className="actions">
        <button
          type="button"
          className={danger ? 'danger' : 'primary'}
          onClick={onConfirm}
          disabled={pending}
        >
          {pending ? 'Working…' : confirmLabel}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          Cancel
        </button>
      </div>
    </div>
  );
}
