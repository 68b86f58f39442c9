import { workspaceTestConfig } from '../../vitest.shared.js';

// The fault and load suite (`pnpm --filter @airlock/server test:fault`): real server processes
// killed, starved of disk, locked out of their database, and run for a long time.
export default workspaceTestConfig({
  test: {
    include: ['fault/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
