import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { exportLine, KeyReveal } from './KeyReveal';

const KEY = `ark_${'a'.repeat(24)}:${'B'.repeat(48)}`;

/** A page that opens the dialog from a button, as the profile page does. */
function Opener({ onDone = () => {} }: { onDone?: () => void }) {
  const [key, setKey] = useState<string>();
  return (
    <main>
      <button type="button" onClick={() => setKey(KEY)}>
        Show key
      </button>
      {key ? (
        <KeyReveal
          fullKey={key}
          onDone={() => {
            setKey(undefined);
            onDone();
          }}
        />
      ) : null}
    </main>
  );
}

describe('<KeyReveal>', () => {
  it('is a modal dialog: focus moves into it, the page behind is inert, Escape closes it and focus returns to the opener', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    const { container } = render(<Opener onDone={onDone} />);
    const opener = screen.getByRole('button', { name: 'Show key' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'The profile key' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(screen.getByLabelText(/Key \(give this/));
    expect(container.hasAttribute('inert')).toBe(true);
    expect(screen.getByText(/you will not see this again/)).toBeTruthy();

    // Tab stays inside: from the last control it wraps to the first.
    const done = screen.getByRole('button', { name: 'Done, hide the key' });
    done.focus();
    await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);

    await user.keyboard('{Escape}');
    expect(onDone).toHaveBeenCalledOnce();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.innerHTML).not.toContain(KEY);
    expect(container.hasAttribute('inert')).toBe(false);
    expect(document.activeElement).toBe(opener);
  });

  it('copies the key, or the shell line that exports it', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    render(<Opener />);
    await user.click(screen.getByRole('button', { name: 'Show key' }));
    expect((screen.getByLabelText(/Key \(give this/) as HTMLInputElement).value).toBe(KEY);

    await user.click(screen.getByRole('button', { name: 'Copy key' }));
    expect(writeText).toHaveBeenLastCalledWith(KEY);
    await user.click(screen.getByRole('button', { name: 'Copy as export AIRLOCK_KEY=…' }));
    expect(writeText).toHaveBeenLastCalledWith(`export AIRLOCK_KEY=${KEY}`);
    expect(screen.getAllByText('Copied.')).toHaveLength(2);
    expect(exportLine(KEY)).toBe(`export AIRLOCK_KEY=${KEY}`);

    // Done and Close hide it as Escape does.
    await user.click(screen.getByRole('button', { name: 'Done, hide the key' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Show key' }));
    await user.click(screen.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('when what opened it is gone, focus goes where the page says', async () => {
    const user = userEvent.setup();
    function Page() {
      const [key, setKey] = useState<string>();
      return (
        <main>
          <h2 tabIndex={-1} id="next">
            Next step
          </h2>
          {key ? null : (
            <button type="button" onClick={() => setKey(KEY)}>
              Lock
            </button>
          )}
          {key ? (
            <KeyReveal
              fullKey={key}
              onDone={() => setKey('')}
              returnFocus={() => document.getElementById('next')}
            />
          ) : null}
        </main>
      );
    }
    render(<Page />);
    await user.click(screen.getByRole('button', { name: 'Lock' }));
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Next step' }));
  });

  it('says so when the browser blocks copying', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValueOnce(new Error('denied'));
    render(<Opener />);
    await user.click(screen.getByRole('button', { name: 'Show key' }));
    await user.click(screen.getByRole('button', { name: 'Copy key' }));
    expect(await screen.findByText(/select the text and copy it by hand/)).toBeTruthy();
  });
});
