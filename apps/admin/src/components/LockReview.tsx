import { useState } from 'react';
import type { AdminProfile, NetworkPolicy } from '../api/types';
import { shortId } from '../lib/format';
import { DeliveryBadge } from './Badges';
import { Confirm } from './Confirm';
import './LockReview.css';

/**
 * The lock action of a profile an agent made: "Review and lock…" opens a dialog that lists what
 * the agent proposed (its credentials and how each reaches scripts, its network policy) and what
 * locking means, with "Lock profile" and "Go back". Backing out returns focus to the button
 * (see Confirm); once locked, the button is gone and the caller shows the key.
 */
export function LockReview({
  profile: p,
  pending,
  error,
  onLock,
}: {
  profile: AdminProfile;
  pending: boolean;
  error: unknown;
  /** Locks the profile as shown; resolves true once it is locked. */
  onLock: () => Promise<boolean>;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Review and lock…
      </button>
      {open ? (
        <Confirm
          title="Review before locking"
          confirmLabel="Lock profile"
          cancelLabel="Go back"
          pending={pending}
          error={error}
          errorTitle="The profile was not locked"
          onCancel={() => setOpen(false)}
          onConfirm={async () => {
            if (await onLock()) setOpen(false);
          }}
        >
          <p>
            {p.created_by === 'agent' ? 'An agent created ' : 'You are about to lock '}
            <strong>{p.description || `Profile ${shortId(p.id)}`}</strong>
            {p.created_by === 'agent' ? ' and proposed what it reaches. ' : '. '}
            Check it before you lock it.
          </p>
          <ReviewCredentials profile={p} />
          <h3>Network</h3>
          <ReviewNetwork policy={p.network} />
          <h3>What locking means</h3>
          <ul className="review-means">
            <li>The key is issued and shown once, for you to copy and give to the agent.</li>
            <li>
              The credentials and the network policy above are fixed for good. To change them,
              create another profile.
            </li>
            <li>Values can still be set or rotated after locking.</li>
            <li>You can revoke the key at any time.</li>
          </ul>
        </Confirm>
      ) : null}
    </>
  );
}

function ReviewCredentials({ profile: p }: { profile: AdminProfile }) {
  if (p.credentials.length === 0)
    return (
      <>
        <h3>Credentials</h3>
        <p className="warning">
          The key will reach <strong>no credentials</strong>: none is attached.
        </p>
      </>
    );
  return (
    <>
      <h3>Credentials ({p.credentials.length})</h3>
      <p className="help">
        The key reaches these and nothing else. Injected: the script reads the value. Brokered: the
        script holds a placeholder, and the value goes only into requests to the hosts named.
      </p>
      <ul className="review-list" aria-label="Credentials the key reaches">
        {p.credentials.map((c) => (
          <li key={c.name}>
            <span className="mono review-name">{c.name}</span>
            <DeliveryBadge delivery={c.delivery} />
            {c.has_value ? null : <span className="badge badge-missing">no value yet</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

function ReviewNetwork({ policy }: { policy: NetworkPolicy }) {
  if (policy.mode === 'none') return <p>No network: its scripts reach no host.</p>;
  if (policy.mode === 'open')
    return (
      <p className="warning">
        <strong>Any public host</strong> (never loopback or private addresses): any of them could
        receive what the scripts send, injected values included.
      </p>
    );
  return (
    <>
      <p>Only these hosts:</p>
      <ul className="review-list" aria-label="Hosts the key reaches">
        {policy.allow.map((h) => (
          <li key={h} className="mono">
            {h}
          </li>
        ))}
      </ul>
    </>
  );
}
