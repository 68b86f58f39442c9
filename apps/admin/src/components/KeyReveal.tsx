import { useEffect, useRef, useState } from 'react';
import { CopyButton } from './CopyButton';

/**
 * Shows a freshly issued profile key exactly once. The key lives only in the parent's state;
 * once dismissed it is gone from the page and cannot be shown again (the server keeps no
 * readable copy for the UI either).
 */
export function KeyReveal({ fullKey, onDone }: { fullKey: string; onDone: () => void }) {
  const [confirmed, setConfirmed] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <section className="key-reveal" aria-labelledby="key-reveal-title">
      <h2 id="key-reveal-title" tabIndex={-1} ref={headingRef}>
        The profile key
      </h2>
      <p className="warning">
        <strong>Copy it now: you will not see this again.</strong> Airlock shows each key once. If
        you lose it, regenerate the key (the old one stops working).
      </p>
      <label htmlFor="profile-key">Key (give this to your agent, e.g. as AIRLOCK_KEY)</label>
      <div className="key-row">
        <input
          id="profile-key"
          className="mono key-input"
          readOnly
          value={fullKey}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
          data-testid="profile-key"
        />
        <CopyButton text={fullKey} label="Copy key" />
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={confirmed}
          onChange={(e) => setConfirmed(e.currentTarget.checked)}
        />
        I have stored the key somewhere safe
      </label>
      <button type="button" className="primary" disabled={!confirmed} onClick={onDone}>
        Done, hide the key
      </button>
    </section>
  );
}
