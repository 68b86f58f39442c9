import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { ErrorMessage } from './ErrorMessage';

describe('<ErrorMessage>', () => {
  it('renders a string detail in an alert', () => {
    render(
      <ErrorMessage
        error={
          new ApiError(422, '/api/admin/setup', {
            detail: 'Password must be at least 12 characters',
          })
        }
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain(
      'Password must be at least 12 characters',
    );
  });

  it('renders each validation issue as a list item', () => {
    render(
      <ErrorMessage
        title="Not saved"
        error={
          new ApiError(422, '/x', {
            detail: [
              { type: 't', loc: ['body', 'expires_at'], msg: 'Invalid datetime' },
              { type: 't', loc: ['body', 'description'], msg: 'Too long' },
            ],
            request_id: 'req_9',
          })
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Not saved');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'expires_at: Invalid datetime',
      'description: Too long',
    ]);
    expect(alert.textContent).toContain('req_9');
  });

  it('renders nothing without an error', () => {
    const { container } = render(<ErrorMessage error={null} />);
    expect(container.innerHTML).toBe('');
  });
});
