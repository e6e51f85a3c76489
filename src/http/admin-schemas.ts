import { Type } from '@sinclair/typebox';
import { PERMISSIONS } from '../access/index.js';
import { SEARCH_MAX_LIMIT } from '../admin/index.js';

/** Request and response shapes of the administration routes (API.md §4). */

const DateOrDateTime = Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], {
  description: 'A date (YYYY-MM-DD, UTC midnight) or an RFC 3339 date-time',
});

const Cursor = Type.String({ maxLength: 200, description: 'nextCursor of the previous page (opaque)' });

export const RoleName = Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$', description: 'a role name: lower case letters, digits, _' });

export const UserSearchQuerySchema = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Free text over given/family/display name, email and headline: substring or close match (typos allowed)',
      }),
    ),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'exact email, any case' })),
    role: Type.Optional(RoleName),
    openToWork: Type.Optional(Type.Boolean()),
    skill: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'exact skill name, any case' })),
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' })),
    createdFrom: Type.Optional(DateOrDateTime),
    createdTo: Type.Optional(DateOrDateTime),
    limit: Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: 20 }),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const UserSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  email: Nullable(Type.String()),
  givenName: Nullable(Type.String()),
  familyName: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  headline: Nullable(Type.String()),
  country: Nullable(Type.String()),
  openToWork: Type.Boolean(),
  completeness: Type.Integer({ minimum: 0, maximum: 100 }),
  roles: Type.Array(Type.String()),
});

export const UserSearchPageSchema = Type.Object({
  items: Type.Array(UserSummarySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const UserRolesSchema = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  version: Type.Integer(),
  roles: Type.Array(Type.String()),
  changed: Type.Boolean({ description: 'false when the user already had (or lacked) the role: nothing was written' }),
});

export const RoleSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  builtIn: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  members: Type.Integer({ description: 'users holding the role as a stored grant' }),
});

export const RoleListSchema = Type.Object({ items: Type.Array(RoleSchema) });

export const RoleBodySchema = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 500 })),
    permissions: Type.Array(Type.Union(PERMISSIONS.map((p) => Type.Literal(p))), { maxItems: PERMISSIONS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const AuditQuerySchema = Type.Object(
  {
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "the actor's id: a user id, or a system component (cli, jit, seed, …)" })),
    target: Type.Optional(Type.String({ format: 'uuid', description: 'the user the event is about' })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'e.g. profile.updated, role.granted' })),
    from: Type.Optional(DateOrDateTime),
    to: Type.Optional(DateOrDateTime),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const AuditItemSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  userId: Type.String({ format: 'uuid' }),
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Type.String() }),
  source: Type.String(),
  action: Type.String(),
  version: Type.Integer(),
  requestId: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Array(Type.Object({ path: Type.String(), from: Type.Unknown(), to: Type.Unknown(), redacted: Type.Boolean() })),
});

export const AuditPageSchema = Type.Object({
  items: Type.Array(AuditItemSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

const Count = Type.Integer({ minimum: 0 });

export const SummaryReportSchema = Type.Object({
  generatedAt: Type.String({ format: 'date-time' }),
  totalUsers: Count,
  openToWork: Count,
  signUpsPerDay: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), users: Count })),
  completeness: Type.Array(Type.Object({ score: Type.Integer({ minimum: 0, maximum: 100 }), users: Count })),
  topSkills: Type.Array(Type.Object({ skill: Type.String(), users: Count })),
  topCountries: Type.Array(Type.Object({ country: Type.String(), users: Count })),
});

/** `YYYY-MM-DD` is UTC midnight; a date-time is taken as given. For an exclusive upper bound a date means the end of that day. */
export function parseBound(value: string | undefined, end: 'lower' | 'upper'): Date | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const midnight = Date.parse(`${value}T00:00:00Z`);
    return new Date(end === 'upper' ? midnight + 86_400_000 : midnight);
  }
  return new Date(value);
}
