/** Re-exports for tests that build launch plans directly. */
export { launchPlan, sandboxEnv as sandboxEnvForTests } from '../src/backends.js';
export { which } from '../src/detect.js';
