export type { Bind, LaunchPlan, LaunchRequest } from './backends.js';
export {
  bwrapPlan,
  EGRESS_PORT,
  INSIDE,
  INSIDE_UID,
  nsjailPlan,
  RUNTIME_DIR,
} from './backends.js';
export type { Accounting } from './cgroups.js';
export {
  ClaimError,
  claimFile,
  claimFreeUids,
  claimUids,
  UID_CLAIM_DIR,
  type UidRange,
} from './claims.js';
export type { ConfinedBackend } from './detect.js';
export { detectBackend, INSTALL_HINTS, SandboxUnavailableError, which } from './detect.js';
export type { InstalledPackage, InstallOptions, InstallResult } from './install.js';
export {
  DEFAULT_TREE_LIMITS,
  inspectTree,
  installPackages,
  listInstalled,
  PACKAGE_SPEC,
  type TreeLimits,
  validatePackageSpecs,
} from './install.js';
export { type OpenedSandbox, openCheckedSandbox } from './open.js';
export type { ProcInfo } from './procs.js';
export { killProcessesOf, processesOf, runnableUids } from './procs.js';
export type { Sandbox, SandboxOptions } from './sandbox.js';
export { createSandbox } from './sandbox.js';
export {
  kafelPolicy,
  SECCOMP_DIR,
  type SeccompVariant,
  seccompFilterPath,
} from './seccomp-policy.js';
export type {
  BackendName,
  ErrorCause,
  JsonValue,
  LimitKind,
  Limits,
  NetworkPolicy,
  RunCapture,
  RunEvent,
  RunHandle,
  RunResult,
  RunSpec,
  RunState,
  SandboxHealth,
} from './types.js';
export { DEFAULT_LIMITS } from './types.js';
export { UidPool } from './uid-pool.js';
export type { WarmPoolStats } from './warm-pool.js';
