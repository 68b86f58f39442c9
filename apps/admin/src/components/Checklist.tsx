import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { credentialsQuery } from '../api/queries/credentials';
import { profilesQuery } from '../api/queries/profiles';
import { statsQuery } from '../api/queries/stats';
import type { AdminCredential, AdminProfile } from '../api/types';
import { UI } from '../paths';
import { Icon } from './Icon';
import './Checklist.css';

export type StepId = 'credential' | 'profile' | 'attach' | 'lock' | 'execute';

export interface ChecklistStep {
  id: StepId;
  title: string;
  /** What to do there, in a sentence. */
  hint: string;
  done: boolean;
  /** Where the step is done (or, once done, where to see it). */
  to: string;
}

/** The first of `profiles` that is still usable and matches, else undefined. */
function firstLive(profiles: AdminProfile[], match: (p: AdminProfile) => boolean) {
  return profiles.find((p) => !p.revoked && match(p));
}

/**
 * The first-run checklist, from what the server holds: a credential with a value, a profile,
 * a credential attached to one, a locked profile (its key issued and shown once), a first
 * execution. Steps are ticked by real state in any order (an agent may make a profile before
 * any value is set); each links to the page where it is done, the profile it concerns when
 * there is one.
 */
export function checklistSteps(data: {
  credentials: AdminCredential[];
  profiles: AdminProfile[];
  executions: number;
}): ChecklistStep[] {
  const { credentials, profiles } = data;
  const unlocked = (p: AdminProfile) => !p.locked;
  const bare = firstLive(profiles, (p) => unlocked(p) && p.credentials.length === 0);
  const ready = firstLive(profiles, (p) => unlocked(p) && p.credentials.length > 0);
  const locked = firstLive(profiles, (p) => p.locked);
  return [
    {
      id: 'credential',
      title: 'Store a credential with its value',
      hint: 'Values are entered only in this console; agents never see them.',
      done: credentials.some((c) => c.has_value),
      to: UI.credentials,
    },
    {
      id: 'profile',
      title: 'Create a profile',
      hint: 'A profile is what an agent holds: the credentials its scripts may use.',
      done: profiles.length > 0,
      to: UI.profiles,
    },
    {
      id: 'attach',
      title: 'Attach a credential to the profile',
      hint: 'Only attached credentials reach the profile’s scripts.',
      done: profiles.some((p) => p.credentials.length > 0),
      to: bare ? UI.profile(bare.id) : ready ? UI.profile(ready.id) : UI.profiles,
    },
    {
      id: 'lock',
      title: 'Lock the profile and copy its key',
      hint: 'Locking fixes what the profile reaches and shows its key once, for the agent.',
      done: profiles.some((p) => p.locked),
      to: ready ? UI.profile(ready.id) : locked ? UI.profile(locked.id) : UI.profiles,
    },
    {
      id: 'execute',
      title: 'Run a first execution',
      hint: 'Give the key to an agent: the profile page has a snippet to paste.',
      done: data.executions > 0,
      to: data.executions > 0 || !locked ? UI.executions : UI.profile(locked.id),
    },
  ];
}

/**
 * "Get started" on the Overview: the checklist above, the next step to take highlighted. Shown
 * once its data is in, and gone for good once every step is done.
 */
export function Checklist() {
  const credentials = useQuery(credentialsQuery());
  const profiles = useQuery(profilesQuery());
  const stats = useQuery(statsQuery());
  if (!credentials.data || !profiles.data || !stats.data) return null;
  const steps = checklistSteps({
    credentials: credentials.data,
    profiles: profiles.data,
    executions: stats.data.executions.total,
  });
  const done = steps.filter((s) => s.done).length;
  if (done === steps.length) return null;
  const next = steps.find((s) => !s.done);
  return (
    <section className="card checklist" aria-labelledby="get-started">
      <div className="checklist-head">
        <h2 id="get-started">Get started</h2>
        <p className="muted checklist-progress">
          {done} of {steps.length} done
        </p>
      </div>
      <ol className="checklist-steps">
        {steps.map((s) => (
          <li
            key={s.id}
            className={`checklist-step${s.done ? ' done' : s === next ? ' next' : ''}`}
            aria-current={s === next ? 'step' : undefined}
          >
            <span className="checklist-mark" aria-hidden="true">
              {s.done ? <Icon name="check" /> : null}
            </span>
            <div className="checklist-body">
              <Link to={s.to} className="checklist-title">
                <span className="sr-only">{s.done ? 'Done: ' : 'To do: '}</span>
                {s.title}
              </Link>
              {s.done ? null : <p className="help">{s.hint}</p>}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
