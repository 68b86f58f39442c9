export { admin } from './admin.js';
export { type ActorType, actorTypes, auditLog } from './audit.js';
export { type Creator, creators, EARLIER_CREATOR } from './columns.js';
export { credentials } from './credentials.js';
export {
  type ExecutionStatus,
  executionStatuses,
  executions,
  llmExchanges,
  nonces,
} from './executions.js';
export { meta } from './meta.js';
export { profileCredentials, profiles } from './profiles.js';
export { requirements, SHARED_SCOPE } from './requirements.js';
export { sessions } from './sessions.js';
