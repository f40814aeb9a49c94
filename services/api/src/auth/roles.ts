/** The roles an API key can hold, from least to most powerful. */
export const ROLES = ['viewer', 'sre', 'security', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route may require. `public` routes need no key (the OpenAPI document, the docs
 * page); every other `/api/*` route names one of the others.
 */
export const PERMISSIONS = [
  'public',
  'search',
  'histogram',
  'fields',
  'context',
  'anomalies',
  'services',
  'tail',
  'deploy_markers',
  'alerts_read',
  'incidents',
  'alert_rules',
  'audit_read',
  'keys',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = [
  'public',
  'search',
  'histogram',
  'fields',
  'context',
  'anomalies',
  'services',
  'alerts_read',
];
const SRE: readonly Permission[] = [...VIEWER, 'tail', 'deploy_markers', 'incidents'];
const SECURITY: readonly Permission[] = [...SRE, 'audit_read'];
const ADMIN: readonly Permission[] = [...SECURITY, 'keys', 'alert_rules'];

/**
 * Which role holds which permission. Each role holds everything the one before it holds:
 * viewer reads (incidents, silences and the delivery log included); sre also tails and
 * acts on deploys and incidents (acknowledge, resolve, comment, silences, feedback);
 * security also reads the audit log (who searched what); admin also manages
 * keys and log alert rules (a rule queries Elasticsearch forever and can page people).
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  viewer: new Set(VIEWER),
  sre: new Set(SRE),
  security: new Set(SECURITY),
  admin: new Set(ADMIN),
};

/** True when `role` holds `permission`. */
export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** True for a known role name (input from the CLI or a keys file). */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True for a known permission name (a route's `config.permission`). */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}
