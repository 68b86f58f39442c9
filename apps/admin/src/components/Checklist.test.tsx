import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { adminCredential, adminProfile } from '../../test/fixtures';
import { renderWithApp } from '../../test/render';
import { keys } from '../api/queries/keys';
import type { AdminCredential, AdminProfile } from '../api/types';
import { UI } from '../paths';
import { Checklist, checklistSteps } from './Checklist';

afterEach(() => {
  vi.unstubAllGlobals();
});

const credential = (over: Partial<AdminCredential> = {}): AdminCredential =>
  adminCredential({
    id: 'c1',
    name: 'STRIPE_KEY',
    has_value: false,
    redactable: null,
    value_updated_at: null,
    ...over,
  });

const profile = (over: Partial<AdminProfile> = {}): AdminProfile =>
  adminProfile({ id: 'p1', credentials: [], ...over });

const attached = [
  { name: 'STRIPE_KEY', description: '', has_value: true, delivery: { mode: 'inject' as const } },
];

const ticks = (steps: ReturnType<typeof checklistSteps>) =>
  Object.fromEntries(steps.map((s) => [s.id, s.done]));

describe('checklistSteps', () => {
  it('ticks nothing on a fresh instance; every step points where it is done', () => {
    const steps = checklistSteps({ credentials: [], profiles: [], executions: 0 });
    expect(ticks(steps)).toEqual({
      credential: false,
      profile: false,
      attach: false,
      lock: false,
      execute: false,
    });
    expect(steps.map((s) => s.to)).toEqual([
      UI.credentials,
      UI.profiles,
      UI.profiles,
      UI.profiles,
      UI.executions,
    ]);
  });

  it('a slot without a value does not count as a stored credential', () => {
    const steps = checklistSteps({
      credentials: [credential({ has_value: false })],
      profiles: [],
      executions: 0,
    });
    expect(ticks(steps).credential).toBe(false);
    expect(
      ticks(
        checklistSteps({
          credentials: [credential({ has_value: true })],
          profiles: [],
          executions: 0,
        }),
      ).credential,
    ).toBe(true);
  });

  it('ticks from real state in any order, and links the profile each step concerns', () => {
    // An agent made a profile with a credential attached before any value was set.
    const steps = checklistSteps({
      credentials: [credential()],
      profiles: [profile({ id: 'bare' }), profile({ id: 'ready', credentials: attached })],
      executions: 0,
    });
    expect(ticks(steps)).toEqual({
      credential: false,
      profile: true,
      attach: true,
      lock: false,
      execute: false,
    });
    const to = Object.fromEntries(steps.map((s) => [s.id, s.to]));
    expect(to.attach).toBe(UI.profile('bare'));
    expect(to.lock).toBe(UI.profile('ready'));
  });

  it('after the lock, the last step leads to the locked profile (its snippet), then to the runs', () => {
    const locked = profile({ id: 'live', locked: true, key_id: 'ark_x', credentials: attached });
    const before = checklistSteps({
      credentials: [credential({ has_value: true })],
      profiles: [locked],
      executions: 0,
    });
    expect(ticks(before)).toEqual({
      credential: true,
      profile: true,
      attach: true,
      lock: true,
      execute: false,
    });
    expect(before.at(-1)?.to).toBe(UI.profile('live'));
    const after = checklistSteps({
      credentials: [credential({ has_value: true })],
      profiles: [locked],
      executions: 1,
    });
    expect(after.every((s) => s.done)).toBe(true);
    expect(after.at(-1)?.to).toBe(UI.executions);
  });

  it('never leads to a revoked profile', () => {
    const steps = checklistSteps({
      credentials: [],
      profiles: [profile({ id: 'gone', revoked: true, locked: true, credentials: attached })],
      executions: 0,
    });
    expect(steps.map((s) => s.to)).not.toContain(UI.profile('gone'));
  });
});

function stats(total: number) {
  return { executions: { total } };
}

describe('Checklist', () => {
  it('shows the steps with the next one marked current, done ones said so', async () => {
    fakeFetch({
      'GET /api/admin/credentials': json(200, { credentials: [credential({ has_value: true })] }),
      'GET /api/admin/profiles': json(200, { profiles: [] }),
      'GET /api/admin/stats': json(200, stats(0)),
    });
    renderWithApp(<Checklist />);
    const section = await screen.findByRole('region', { name: 'Get started' });
    expect(within(section).getByText('1 of 5 done')).toBeTruthy();
    const links = within(section).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual([
      'Done: Store a credential with its value',
      'To do: Create a profile',
      'To do: Attach a credential to the profile',
      'To do: Lock the profile and copy its key',
      'To do: Run a first execution',
    ]);
    const current = section.querySelector('[aria-current="step"]');
    expect(current?.textContent).toContain('Create a profile');
    expect(links[1]?.getAttribute('href')).toBe(UI.profiles);
  });

  it('is gone once every step is done', async () => {
    const f = fakeFetch({
      'GET /api/admin/credentials': json(200, { credentials: [credential({ has_value: true })] }),
      'GET /api/admin/profiles': json(200, {
        profiles: [profile({ locked: true, key_id: 'ark_x', credentials: attached })],
      }),
      'GET /api/admin/stats': json(200, stats(3)),
    });
    const { container, queryClient } = renderWithApp(<Checklist />);
    // Hidden with every answer in (not merely while loading).
    await waitFor(() =>
      expect(
        [keys.credentials.all, keys.profiles.list, keys.stats.all].map(
          (queryKey) => queryClient.getQueryState(queryKey)?.status,
        ),
      ).toEqual(['success', 'success', 'success']),
    );
    expect(f.calls).toHaveLength(3);
    expect(container.textContent).toBe('');
  });
});
