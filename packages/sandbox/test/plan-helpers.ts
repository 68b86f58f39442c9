/** Re-exports for tests that build launch plans directly. */
export { bwrapPlan, sandboxEnv as sandboxEnvForTests } from '../src/backends.js';
export { which } from '../src/detect.js';
