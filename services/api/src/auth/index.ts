export type { AccessControlOptions } from './access-control.js';
export {
  accessControlPlugin,
  DEFAULT_RATE_LIMIT,
  recordResultCount,
  registerAccessControl,
} from './access-control.js';
export type { AuditRecord, AuditSink } from './audit.js';
export { FanOutAuditSink, FileAuditSink, PinoFileAuditSink } from './audit.js';
export { checkBindSafety, isLoopbackHost } from './bind-safety.js';
export type { ConfiguredAccessControl } from './from-config.js';
export { accessControlFromConfig, runKeysCli } from './from-config.js';
export type { Identity } from './identity.js';
export { ANONYMOUS_NAME } from './identity.js';
export type { KeyInfo, KeyRejection, StoredKey, Verification } from './key-store.js';
export { KeyStore, keysFileHasKeys } from './key-store.js';
export type { KeysOutput } from './keys-command.js';
export {
  createKeyCommand,
  KEYS_USAGE,
  listKeysCommand,
  parseExpiry,
  revokeKeyCommand,
  runKeysCommand,
} from './keys-command.js';
export { ACCESS_CONTROL_RESPONSES, accessErrorSchema, OPENAPI_SECURITY } from './openapi.js';
export type { Permission, Role } from './roles.js';
export { isPermission, isRole, PERMISSIONS, ROLE_PERMISSIONS, ROLES, roleAllows } from './roles.js';
export {
  CONTENT_SECURITY_POLICY,
  registerSecurityHeaders,
  securityHeaderOptions,
} from './security-headers.js';
