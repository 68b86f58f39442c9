import { workspaceTestConfig } from '../../vitest.shared.js';

// Real sandboxes, real Python: give each test room (probes use short limits of their own).
export default workspaceTestConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
