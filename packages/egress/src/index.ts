export { isPublicAddress, notPublicReason } from './addresses.js';
export {
  type BrokeredCredential,
  brokerEntries,
  brokerHostsRefusal,
  MAX_BROKER_HOSTS,
  makePlaceholder,
  parseBrokerHosts,
} from './broker.js';
export {
  type CertificateAuthorityInfo,
  type CertificateAuthorityPem,
  createCertificateAuthority,
  describeCertificateAuthority,
  type Issuer,
  loadIssuer,
} from './ca.js';
export type { BrokerOptions, ByteScrubber, RequestRecord } from './intercept.js';
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
