import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router';
import { createQueryClient } from '../src/api/query-client';
import { NoticesProvider } from '../src/components/Notices';

/**
 * Renders with the app's real QueryClient setup, an in-memory router at `path`, and the notices
 * the app shell provides (their text shows in the document, as in the app).
 */
export function renderWithApp(ui: ReactElement, path = '/ui/overview') {
  const queryClient = createQueryClient();
  const utils = render(
    <QueryClientProvider client={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <NoticesProvider>{ui}</NoticesProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...utils, queryClient };
}

/** Everything TanStack holds (queries and mutations), as text: secrets must never be in it. */
export function cacheText(qc: ReturnType<typeof renderWithApp>['queryClient']): string {
  const queries = qc
    .getQueryCache()
    .getAll()
    .map((q) => q.state);
  const mutations = qc
    .getMutationCache()
    .getAll()
    .map((m) => m.state);
  return JSON.stringify({ queries, mutations });
}
