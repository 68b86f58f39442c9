import { workspaceTestConfig } from '../../vitest.shared.js';

export default workspaceTestConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
