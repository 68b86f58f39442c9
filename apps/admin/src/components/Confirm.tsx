import { type ReactNode, useEffect, useRef, useState } from 'react';
import { ErrorMessage } from './ErrorMessage';
import { Modal } from './Modal';

/**
 * Asks before something is done, in a modal dialog whose two buttons say what each does in
 * plain words ("Stop execution" / "Keep running", never OK / Cancel). Focus starts on the
 * button that backs out; Escape, Close and that button call `onCancel` (not while `pending`).
 * A failure (`error`) shows inside the dialog, which stays open so the reader can retry or
 * back out. When it closes, focus returns to the button that opened it, also when the page put
 * a new button with the same name in its place (see {@link openerTrail}).
 */
export function Confirm({
  title,
  children,
  confirmLabel,
  cancelLabel,
  danger = false,
  pending = false,
  error,
  errorTitle,
  onConfirm,
  onCancel,
}: {
  title: string;
  children?: ReactNode;
  /** What confirming does, e.g. "Stop execution". */
  confirmLabel: string;
  /** What backing out keeps, e.g. "Keep running". */
  cancelLabel: string;
  danger?: boolean;
  pending?: boolean;
  error?: unknown;
  errorTitle?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const back = useRef<HTMLButtonElement>(null);
  // Read during the first render, before the commit that may replace the opener.
  const [opener] = useState(openerTrail);
  // The Modal gives focus back to the opener when it is still there. When the page replaced it,
  // its successor exists only once the commit that closes this dialog is done: passive effects
  // are cleaned up after it.
  useEffect(
    () => () => {
      // A dialog that the confirmed action opened (the new key) keeps the focus it took.
      if (document.activeElement?.closest('[aria-modal="true"]')) return;
      if (opener && !opener.element.isConnected) findOpener(opener)?.focus();
    },
    [opener],
  );
  const cancel = () => {
    if (!pending) onCancel();
  };
  return (
    <Modal
      role="alertdialog"
      title={title}
      onClose={cancel}
      initialFocus={back}
      footer={
        <>
          <button type="button" ref={back} onClick={cancel} disabled={pending}>
            {cancelLabel}
          </button>
          <button
            type="button"
            className={danger ? 'danger' : 'primary'}
            onClick={onConfirm}
            disabled={pending}
          >
            {pending ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      {children}
      <ErrorMessage error={error} title={errorTitle} />
    </Modal>
  );
}

interface OpenerTrail {
  element: HTMLElement;
  /** Its accessible text, to recognise a replacement. */
  name: string;
  /** Its ancestors, nearest first, while it was in the page. */
  ancestors: HTMLElement[];
}

/** The element that has focus (the button that opens the dialog), and where it sits. */
function openerTrail(): OpenerTrail | null {
  const element = document.activeElement;
  if (!(element instanceof HTMLElement) || element === document.body) return null;
  const ancestors: HTMLElement[] = [];
  for (let a = element.parentElement; a && a !== document.body; a = a.parentElement)
    ancestors.push(a);
  return { element, name: accessibleText(element), ancestors };
}

/**
 * The opener if it is still in the page; else the control with its name in its nearest
 * surviving ancestor (pages often render "Revoke…" again in place of the dialog they open);
 * else that ancestor's first control.
 */
function findOpener(trail: OpenerTrail | null): HTMLElement | null {
  if (!trail) return null;
  if (trail.element.isConnected) return trail.element;
  const root = trail.ancestors.find((a) => a.isConnected);
  if (!root) return null;
  const controls = [...root.querySelectorAll<HTMLElement>('button, a[href], input, select')];
  return controls.find((c) => accessibleText(c) === trail.name) ?? controls[0] ?? null;
}

function accessibleText(el: HTMLElement): string {
  return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
}
