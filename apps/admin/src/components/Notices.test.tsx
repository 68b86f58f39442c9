import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOTICE_TIMEOUT_MS } from '../lib/notices';
import { NoticesProvider, type Notify, useNotify } from './Notices';

/** Renders the provider with a button that focuses like a page control would. */
function setup() {
  let notify: Notify | undefined;
  function Grab() {
    notify = useNotify();
    return <button type="button">Save</button>;
  }
  render(
    <NoticesProvider>
      <Grab />
    </NoticesProvider>,
  );
  if (!notify) throw new Error('no notify');
  return notify;
}

const raise = (fn: () => void) => act(fn);
const wait = (ms: number) => act(() => vi.advanceTimersByTime(ms));

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('<NoticesProvider> and useNotify()', () => {
  it('announces a success politely, then removes it after a few seconds', async () => {
    const notify = setup();
    raise(() => notify.success('Expiry saved.'));
    const text = screen.getByText('Expiry saved.');
    expect(text.closest('[aria-live]')?.getAttribute('aria-live')).toBe('polite');
    await wait(NOTICE_TIMEOUT_MS - 100);
    expect(screen.queryByText('Expiry saved.')).not.toBeNull();
    await wait(200);
    expect(screen.queryByText('Expiry saved.')).toBeNull();
  });

  it('announces an error assertively and keeps it until dismissed', async () => {
    const notify = setup();
    raise(() => notify.error('Not logged out: server down.'));
    const text = screen.getByText('Not logged out: server down.');
    expect(text.closest('[aria-live]')?.getAttribute('aria-live')).toBe('assertive');
    await wait(NOTICE_TIMEOUT_MS * 5);
    expect(screen.queryByText('Not logged out: server down.')).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Not logged out: server down.')).toBeNull();
  });

  it('pauses while the pointer is on the notices, and starts over when it leaves', async () => {
    const notify = setup();
    raise(() => notify.info('Copied.'));
    const notice = screen.getByText('Copied.');
    fireEvent.mouseEnter(notice);
    await wait(NOTICE_TIMEOUT_MS * 2);
    expect(screen.queryByText('Copied.')).not.toBeNull();
    fireEvent.mouseLeave(notice);
    await wait(NOTICE_TIMEOUT_MS - 100);
    expect(screen.queryByText('Copied.')).not.toBeNull();
    await wait(200);
    expect(screen.queryByText('Copied.')).toBeNull();
  });

  it('stays while focus is on it; closing it returns focus where it was', async () => {
    const notify = setup();
    const save = screen.getByRole('button', { name: 'Save' });
    save.focus();
    raise(() => notify.success('Saved.'));
    const dismiss = screen.getByRole('button', { name: 'Dismiss' });
    act(() => dismiss.focus());
    await wait(NOTICE_TIMEOUT_MS * 2);
    expect(screen.queryByText('Saved.')).not.toBeNull();
    fireEvent.click(dismiss);
    expect(screen.queryByText('Saved.')).toBeNull();
    expect(document.activeElement).toBe(save);
  });

  it('the same notice raised again shows once, for a full time again', async () => {
    const notify = setup();
    raise(() => notify.success('Saved.'));
    await wait(NOTICE_TIMEOUT_MS - 1000);
    raise(() => notify.success('Saved.'));
    expect(screen.getAllByText('Saved.')).toHaveLength(1);
    await wait(NOTICE_TIMEOUT_MS - 100);
    expect(screen.queryByText('Saved.')).not.toBeNull();
    await wait(200);
    expect(screen.queryByText('Saved.')).toBeNull();
  });

  it('useNotify() outside a provider says what is missing', () => {
    function Orphan() {
      useNotify();
      return null;
    }
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Orphan />)).toThrow(/NoticesProvider/);
  });
});
