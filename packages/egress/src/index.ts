export { isPublicAddress, notPublicReason } from './addresses.js';
export {
  type Admission,
  admit,
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_PORTS,
  type Entry,
  type NetworkMode,
  type NetworkPolicy,
  NO_NETWORK,
  normaliseName,
  POLICY_LIMITS,
  PolicyError,
  parseEntry,
  parsePolicy,
} from './policy.js';
export {
  type ConnectionRecord,
  createEgressSession,
  DEFAULT_EGRESS_LIMITS,
  type EgressLimits,
  type EgressOptions,
  type EgressSession,
  parseRequestHead,
} from './proxy.js';
