/** Every permission the service checks: stable strings, `area:verb`. */
export const PERMISSIONS = [
  'users:read',
  'users:write',
  'users:erase',
  'audit:read',
  'roles:read',
  'roles:write',
  'roles:assign',
  'reports:read',
  'schema:read',
  'schema:write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** Given to every user at provisioning. */
export const DEFAULT_ROLE = 'job_seeker';
