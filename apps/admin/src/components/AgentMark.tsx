import type { AdminProfile } from '../api/types';
import { Icon } from './Icon';
import './AgentMark.css';

/** Who made a credential slot or a profile (the wire field `created_by`). */
export type CreatedBy = AdminProfile['created_by'];

/**
 * Marks what an agent asked for (a credential slot, a profile) through the open agent
 * endpoints, so a person reviews it as a request rather than as their own work. Nothing for
 * what the admin made.
 */
export function AgentMark({ createdBy }: { createdBy: CreatedBy }) {
  if (createdBy !== 'agent') return null;
  return (
    <span
      className="badge badge-agent"
      title="An agent created this through the agent API: review it before relying on it"
    >
      <Icon name="agent" />
      requested by agent
    </span>
  );
}
