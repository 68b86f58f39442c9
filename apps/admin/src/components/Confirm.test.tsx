import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { Confirm } from './Confirm';

/** A page that replaces its opener with the dialog, as many pages do. */
function Replacing({
  onConfirm = () => {},
  pending = false,
  error,
}: {
  onConfirm?: () => void;
  pending?: boolean;
  error?: unknown;
}) {
  const [open, setOpen] = useState(false);
  return (
    <section>
      <button type="button">Something else</button>
      {open ? (
        <Confirm
          title="Stop this execution?"
          confirmLabel="Stop execution"
          cancelLabel="Keep running"
          danger
          pending={pending}
          error={error}
          errorTitle="Not stopped"
          onConfirm={onConfirm}
          onCancel={() => setOpen(false)}
        >
          <p>The script is stopped.</p>
        </Confirm>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Stop…
        </button>
      )}
    </section>
  );
}

describe('<Confirm>', () => {
  it('asks in a modal dialog whose buttons say what they do; focus starts on backing out', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Replacing onConfirm={onConfirm} />);
    await user.click(screen.getByRole('button', { name: 'Stop…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Stop this execution?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.textContent).toContain('The script is stopped.');
    expect(document.activeElement).toBe(
      within(dialog).getByRole('button', { name: 'Keep running' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Stop execution' }));
    expect(onConfirm).toHaveBeenCalledOnce();
  });

  it('Escape backs out, and focus returns to the button that took the opener’s place', async () => {
    const user = userEvent.setup();
    render(<Replacing />);
    await user.click(screen.getByRole('button', { name: 'Stop…' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Stop…' }));
  });

  it('while pending, neither Escape nor the way out closes it', async () => {
    const user = userEvent.setup();
    render(<Replacing pending />);
    await user.click(screen.getByRole('button', { name: 'Stop…' }));
    await user.keyboard('{Escape}');
    const dialog = screen.getByRole('alertdialog');
    expect(within(dialog).getByRole('button', { name: 'Working…' })).toHaveProperty(
      'disabled',
      true,
    );
    expect(within(dialog).getByRole('button', { name: 'Keep running' })).toHaveProperty(
      'disabled',
      true,
    );
  });

  it('shows a failure inside the dialog, which stays open', async () => {
    const user = userEvent.setup();
    render(<Replacing error={new Error('The run already ended')} />);
    await user.click(screen.getByRole('button', { name: 'Stop…' }));
    const alert = within(screen.getByRole('alertdialog')).getByRole('alert');
    expect(alert.textContent).toContain('Not stopped');
    expect(alert.textContent).toContain('The run already ended');
  });
});
