import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeFetch, json } from '../../test/fake-fetch';
import { createQueryClient } from '../api/query-client';
import { Layout } from './Layout';

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderShell() {
  fakeFetch({ 'GET /health': json(200, { status: 'ok', version: '9.8.7' }) });
  render(
    <QueryClientProvider client={createQueryClient()}>
      <MemoryRouter initialEntries={['/ui/overview']}>
        <Routes>
          <Route path="/ui" element={<Layout />}>
            <Route
              path="overview"
              element={
                <>
                  <h1>Overview page</h1>
                  <button type="button">A page control</button>
                </>
              }
            />
            <Route path="profiles" element={<h1>Profiles page</h1>} />
          </Route>
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  const button = screen.getByRole('button', { name: 'Menu' });
  const menu = document.getElementById(button.getAttribute('aria-controls') ?? '');
  if (!menu) throw new Error('the menu button controls no element');
  return { button, menu };
}

const isOpen = (menu: HTMLElement) => menu.hasAttribute('data-open');

describe('<Layout> header', () => {
  it('names the instance and, once /health answered, the server version', async () => {
    renderShell();
    const header = screen.getByRole('banner');
    expect(header.textContent).toContain(window.location.host);
    expect(await within(header).findByText(/v9\.8\.7/)).toBeTruthy();
  });

  it('the menu button opens and closes the menu it controls, saying so', async () => {
    const user = userEvent.setup();
    const { button, menu } = renderShell();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(within(menu).getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(within(menu).getByRole('button', { name: 'Log out' })).toBeTruthy();
    expect(isOpen(menu)).toBe(false);
    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(isOpen(menu)).toBe(true);
    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(isOpen(menu)).toBe(false);
  });

  it('Escape closes the menu and puts focus back on its button', async () => {
    const user = userEvent.setup();
    const { button, menu } = renderShell();
    await user.click(button);
    within(menu).getByRole('link', { name: 'Profiles' }).focus();
    await user.keyboard('{Escape}');
    expect(isOpen(menu)).toBe(false);
    expect(document.activeElement).toBe(button);
    // Escape with the menu closed leaves focus alone.
    screen.getByRole('link', { name: 'Overview' }).focus();
    await user.keyboard('{Escape}');
    expect(document.activeElement).toBe(screen.getByRole('link', { name: 'Overview' }));
  });

  it('going to a page closes the menu, also the link of the page already shown', async () => {
    const user = userEvent.setup();
    const { button, menu } = renderShell();
    await user.click(button);
    await user.click(within(menu).getByRole('link', { name: 'Profiles' }));
    expect(await screen.findByRole('heading', { name: 'Profiles page' })).toBeTruthy();
    expect(isOpen(menu)).toBe(false);
    expect(button.getAttribute('aria-expanded')).toBe('false');
    await user.click(button);
    await user.click(within(menu).getByRole('link', { name: 'Profiles' }));
    expect(isOpen(menu)).toBe(false);
  });

  it('a click outside the header closes the menu', async () => {
    const user = userEvent.setup();
    const { button, menu } = renderShell();
    await user.click(button);
    await user.click(screen.getByRole('heading', { name: 'Overview page' }));
    expect(isOpen(menu)).toBe(false);
  });

  it('tabbing out of the header closes the menu; tabbing within it does not', async () => {
    const user = userEvent.setup();
    const { button, menu } = renderShell();
    await user.click(button);
    await user.tab();
    expect(document.activeElement).toBe(within(menu).getByRole('link', { name: 'Overview' }));
    expect(isOpen(menu)).toBe(true);
    within(menu).getByRole('button', { name: 'Log out' }).focus();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'A page control' }));
    expect(isOpen(menu)).toBe(false);
  });
});
