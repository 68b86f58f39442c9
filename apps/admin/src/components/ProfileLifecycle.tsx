import type { AdminProfile } from '../api/types';
import './ProfileLifecycle.css';

export type StepState = 'done' | 'current' | 'todo';

export interface LifecycleStep {
  /** The id of the page section the step links to. */
  id: 'step-reach' | 'step-lock' | 'step-agent' | 'step-runs';
  title: string;
  state: StepState;
  /** Where the profile is on this step, in a few words. */
  detail: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The four steps of a profile's life, from what it is now: choose what the key reaches
 * (credentials, network), lock and issue the key, give it to the agent, runs. The current step
 * is the first that is not done; a revoked profile has none (its key is refused for good).
 */
export function lifecycleSteps(p: AdminProfile, runs: number): LifecycleStep[] {
  const n = p.credentials.length;
  const reach = `${plural(n, 'credential')} · network ${p.network.mode === 'allowlist' ? plural(p.network.allow.length, 'host') : p.network.mode}`;
  const steps: Omit<LifecycleStep, 'state'>[] = [
    { id: 'step-reach', title: 'Choose what it reaches', detail: reach },
    {
      id: 'step-lock',
      title: 'Lock and issue the key',
      detail: p.revoked ? 'key revoked' : p.locked ? 'key issued' : 'not locked yet',
    },
    {
      id: 'step-agent',
      title: 'Give it to the agent',
      detail: p.revoked ? 'key refused' : p.locked ? (p.key_id ?? 'key issued') : 'after locking',
    },
    { id: 'step-runs', title: 'Runs', detail: runs === 0 ? 'none yet' : plural(runs, 'run') },
  ];
  const done = [n > 0 || p.locked, p.locked, runs > 0, runs > 0];
  const current = p.revoked ? -1 : done.indexOf(false);
  return steps.map((s, i) => ({
    ...s,
    state: done[i] ? 'done' : i === current ? 'current' : 'todo',
  }));
}

const STATE_WORD: Record<StepState, string> = {
  done: 'done',
  current: 'next',
  todo: 'later',
};

/** The steps as a progress list; each links to its section below. */
export function LifecycleSteps({ steps }: { steps: LifecycleStep[] }) {
  return (
    <nav aria-label="Profile steps">
      <ol className="lifecycle">
        {steps.map((s, i) => (
          <li
            key={s.id}
            className={`lifecycle-step lifecycle-${s.state}`}
            aria-current={s.state === 'current' ? 'step' : undefined}
          >
            <a href={`#${s.id}`}>
              <span className="lifecycle-n" aria-hidden="true">
                {s.state === 'done' ? '✓' : i + 1}
              </span>
              <span className="lifecycle-text">
                <span className="lifecycle-title">{s.title}</span>
                <span className="lifecycle-detail">
                  <span className="sr-only">({STATE_WORD[s.state]}) </span>
                  {s.detail}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
