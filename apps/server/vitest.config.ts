import { workspaceTestConfig } from '../../vitest.shared.js';

// End-to-end tests run real Python in real sandboxes: allow them more than the default 5 s.
export default workspaceTestConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
