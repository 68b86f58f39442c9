import { Fragment } from 'react';
import type { AdminProfile, CredentialDelivery, ExecutionStatus } from '../api/types';
import './Badges.css';

export type ProfileState = 'unlocked' | 'locked' | 'revoked' | 'expired';

export function profileState(p: AdminProfile): ProfileState {
  if (p.revoked) return 'revoked';
  if (p.expired) return 'expired';
  return p.locked ? 'locked' : 'unlocked';
}

export function ProfileBadge({ profile }: { profile: AdminProfile }) {
  const s = profileState(profile);
  return <span className={`badge badge-${s}`}>{s}</span>;
}

const STATUS_LABEL: Record<ExecutionStatus, string> = {
  pending: 'pending',
  running: 'running',
  awaiting_llm: 'awaiting LLM',
  completed: 'completed',
  error: 'error',
  timeout: 'timeout',
};

/**
 * A run's status; `cancelled` (a run stopped from outside, stored as `error`) reads as
 * cancelled, not as a failure.
 */
export function ExecutionBadge({
  status,
  cancelled = false,
}: {
  status: ExecutionStatus;
  cancelled?: boolean;
}) {
  if (cancelled && status === 'error')
    return <span className="badge badge-exec-cancelled">cancelled</span>;
  return <span className={`badge badge-exec-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

export function ValueBadge({
  hasValue,
  redactable,
}: {
  hasValue: boolean;
  redactable?: boolean | null;
}) {
  if (!hasValue) return <span className="badge badge-missing">no value</span>;
  if (redactable === false)
    return (
      <span className="badge badge-warn" title="Shorter than 8 characters: not masked in output">
        value set · not redactable
      </span>
    );
  return <span className="badge badge-ok">value set</span>;
}

/** How a credential reaches scripts: its value (`injected`), or a placeholder and bound hosts. */
export function DeliveryBadge({ delivery }: { delivery: CredentialDelivery }) {
  if (delivery.mode === 'inject')
    return (
      <span className="badge" title="Scripts read the value in settings">
        injected
      </span>
    );
  return (
    <span
      className="badge badge-broker"
      title="Scripts hold a placeholder; the value goes into requests to these hosts only"
    >
      brokered →{' '}
      {(delivery.hosts ?? []).map((h, i) => (
        // Wrap between hosts, never inside one.
        <Fragment key={h}>
          {i > 0 ? ', ' : ''}
          <span className="nowrap">{h}</span>
        </Fragment>
      ))}
    </span>
  );
}
