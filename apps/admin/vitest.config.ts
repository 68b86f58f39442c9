import react from '@vitejs/plugin-react';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: component tests in jsdom, and the browser suite, which runs in Node and drives a
 * real headless Chromium against the real server (see test/journey.browser.test.ts).
 */
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@airlock/source', ...defaultClientConditions] },
  ssr: { resolve: { conditions: ['@airlock/source', ...defaultServerConditions] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'components',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}'],
          setupFiles: ['./test/setup-dom.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/**/*.browser.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
