import { describe, expect, it } from 'vitest';
import { adminProfile } from '../../test/fixtures';
import { lifecycleSteps } from './ProfileLifecycle';

const states = (...args: Parameters<typeof lifecycleSteps>) =>
  lifecycleSteps(...args).map((s) => s.state);

describe('lifecycleSteps', () => {
  it('a new profile starts at choosing what it reaches', () => {
    const steps = lifecycleSteps(adminProfile({ credentials: [] }), 0);
    expect(steps.map((s) => s.state)).toEqual(['current', 'todo', 'todo', 'todo']);
    expect(steps[0]?.detail).toBe('0 credentials · network none');
  });

  it('with credentials attached, locking is next', () => {
    expect(states(adminProfile(), 0)).toEqual(['done', 'current', 'todo', 'todo']);
    const allow = adminProfile({ network: { mode: 'allowlist', allow: ['a.test', 'b.test'] } });
    expect(lifecycleSteps(allow, 0)[0]?.detail).toBe('2 credentials · network 2 hosts');
  });

  it('once locked, giving the key to the agent is next, until its first run', () => {
    const locked = adminProfile({ locked: true, key_id: 'ark_abc' });
    const steps = lifecycleSteps(locked, 0);
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'current', 'todo']);
    expect(steps[2]?.detail).toBe('ark_abc');
    expect(steps[3]?.detail).toBe('none yet');
    const running = lifecycleSteps(locked, 1);
    expect(running.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(running[3]?.detail).toBe('1 run');
  });

  it('a revoked profile has no next step', () => {
    const revoked = adminProfile({ locked: true, revoked: true, key_id: 'ark_abc' });
    const steps = lifecycleSteps(revoked, 0);
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'todo', 'todo']);
    expect(steps[1]?.detail).toBe('key revoked');
    expect(steps[2]?.detail).toBe('key refused');
  });
});
