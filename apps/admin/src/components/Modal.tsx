import { type ReactNode, type RefObject, useId, useLayoutEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import './Modal.css';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
}

/**
 * A modal dialog: the rest of the page is inert while it is open, focus moves into it (to
 * `initialFocus`, else its first control) and stays there (Tab wraps), Escape or its Close
 * button calls `onClose`. When it goes away, focus returns to the element that had it when the
 * dialog opened, or, when that element is gone (the action that opened it replaced it), to
 * `returnFocus()`. A click outside does nothing: what a dialog shows may not be shown again.
 */
export function Modal({
  title,
  children,
  onClose,
  initialFocus,
  returnFocus,
  footer,
  role = 'dialog',
}: {
  title: ReactNode;
  children: ReactNode;
  onClose: () => void;
  initialFocus?: RefObject<HTMLElement | null>;
  returnFocus?: () => HTMLElement | null | undefined;
  footer?: ReactNode;
  /** `alertdialog` for a question that interrupts (a confirmation). */
  role?: 'dialog' | 'alertdialog';
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  // Read at close time: the latest props, without re-running the open/close effect.
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;
  useLayoutEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const made: Element[] = [];
    for (const el of document.body.children) {
      if (el === backdrop.current || el.hasAttribute('inert')) continue;
      el.setAttribute('inert', '');
      made.push(el);
    }
    const dialog = ref.current;
    (initialFocus?.current ?? (dialog ? focusables(dialog)[0] : undefined) ?? dialog)?.focus();
    return () => {
      for (const el of made) el.removeAttribute('inert');
      const back =
        opener?.isConnected && opener !== document.body ? opener : returnFocusRef.current?.();
      back?.focus();
    };
  }, [initialFocus]);
  return createPortal(
    <div className="modal-backdrop" ref={backdrop}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: `role` is dialog or alertdialog (typed), which take keys */}
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: both dialog and alertdialog support aria-modal */}
      <div
        className="modal"
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        ref={ref}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
            return;
          }
          if (e.key !== 'Tab' || !ref.current) return;
          const all = focusables(ref.current);
          const first = all[0];
          const last = all.at(-1);
          if (!first || !last) return;
          if (
            e.shiftKey &&
            (document.activeElement === first || document.activeElement === ref.current)
          ) {
            e.preventDefault();
            last.focus();
          } else if (!e.shiftKey && document.activeElement === last) {
            e.preventDefault();
            first.focus();
          }
        }}
      >
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="modal-close" onClick={onClose} aria-label="Close">
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="modal-body">{children}</div>
        {footer ? <div className="modal-foot">{footer}</div> : null}
      </div>
    </div>,
    document.body,
  );
}
