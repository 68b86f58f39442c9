import { useRef } from 'react';
import { CopyButton } from './CopyButton';
import { Modal } from './Modal';
import './KeyReveal.css';

/** The line an agent's shell takes: the key is `ark_` + letters and digits, safe unquoted. */
export function exportLine(fullKey: string): string {
  return `export AIRLOCK_KEY=${fullKey}`;
}

/**
 * Shows a freshly issued profile key exactly once, in a modal dialog. The key lives only in the
 * parent's state; once the dialog is closed (Done, Close or Escape) it is gone from the page and
 * cannot be shown again (the server keeps no readable copy for the UI either). Focus returns to
 * what opened it, or to `returnFocus()` when that is gone.
 */
export function KeyReveal({
  fullKey,
  onDone,
  returnFocus,
}: {
  fullKey: string;
  onDone: () => void;
  returnFocus?: () => HTMLElement | null | undefined;
}) {
  const field = useRef<HTMLInputElement>(null);
  return (
    <Modal
      title="The profile key"
      onClose={onDone}
      initialFocus={field}
      returnFocus={returnFocus}
      footer={
        <button type="button" className="primary" onClick={onDone}>
          Done, hide the key
        </button>
      }
    >
      <p className="warning">
        <strong>Copy it now: you will not see this again.</strong> Airlock shows each key once. If
        you lose it, regenerate the key (the old one stops working).
      </p>
      <label htmlFor="profile-key">Key (give this to your agent, e.g. as AIRLOCK_KEY)</label>
      <input
        id="profile-key"
        ref={field}
        className="mono key-input"
        readOnly
        value={fullKey}
        onFocus={(e) => e.currentTarget.select()}
        spellCheck={false}
        autoComplete="off"
        data-testid="profile-key"
      />
      <div className="key-copy">
        <CopyButton text={fullKey} label="Copy key" />
        <CopyButton text={exportLine(fullKey)} label="Copy as export AIRLOCK_KEY=…" />
      </div>
      <p className="help">
        In the agent’s shell, <code>export AIRLOCK_KEY=…</code> makes it the environment variable
        the agent snippet and <code>/skill.md</code> read.
      </p>
    </Modal>
  );
}
