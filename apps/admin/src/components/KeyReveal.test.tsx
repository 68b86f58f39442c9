import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { KeyReveal } from './KeyReveal';

const KEY = `ark_${'a'.repeat(24)}:${'B'.repeat(48)}`;

describe('<KeyReveal>', () => {
  it('shows the key once with the warning, copies it, and only hides after confirmation', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    const onDone = vi.fn();
    render(<KeyReveal fullKey={KEY} onDone={onDone} />);
    expect(screen.getByText(/you will not see this again/)).toBeTruthy();
    expect((screen.getByLabelText(/Key \(give this/) as HTMLInputElement).value).toBe(KEY);

    await user.click(screen.getByRole('button', { name: 'Copy key' }));
    expect(writeText).toHaveBeenCalledWith(KEY);
    expect(screen.getByText('Copied.')).toBeTruthy();

    const done = screen.getByRole('button', { name: 'Done, hide the key' });
    expect((done as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByLabelText('I have stored the key somewhere safe'));
    await user.click(done);
    expect(onDone).toHaveBeenCalledOnce();
  });

  it('says so when the browser blocks copying', async () => {
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, 'writeText').mockRejectedValueOnce(new Error('denied'));
    render(<KeyReveal fullKey={KEY} onDone={() => {}} />);
    await user.click(screen.getByRole('button', { name: 'Copy key' }));
    expect(await screen.findByText(/select the text and copy it by hand/)).toBeTruthy();
  });
});
