import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Row types: what PostgreSQL stores. Domain types live with their feature. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type UserStatus = 'active' | 'disabled' | 'erased';

export interface UsersTable {
  id: Generated<string>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  version: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface IdentitiesTable {
  id: Generated<string>;
  user_id: string;
  issuer: string;
  /** Cognito `sub` (or any IdP's subject): text, never parsed. */
  subject: string;
  email: string | null;
  email_verified: boolean | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface SocialLinksColumn {
  linkedin?: string | null;
  github?: string | null;
  website?: string | null;
}

export interface ProfilesTable {
  user_id: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  /** `YYYY-MM-DD`; the pg type parser keeps dates as text. */
  date_of_birth: string | null;
  mobile_phone: string | null;
  locale: string | null;
  time_zone: string | null;
  headline: string | null;
  bio: string | null;
  location_city: string | null;
  location_region: string | null;
  location_country: string | null;
  social_links: ColumnType<SocialLinksColumn, string | undefined, string>;
  /** 0004: the current profile photo (a ready `photo` media item). */
  photo_media_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  id: Generated<string>;
  user_id: string;
  occurred_at: Generated<Date>;
  actor_type: 'user' | 'admin' | 'system';
  actor_id: string | null;
  source: string;
  action: string;
  /** The user's version after the change. */
  version: number;
  request_id: string | null;
  /** Since 0003: `[{ path, from, to }]` where from/to are value digests, not values. */
  changes: Json<AuditChangeColumn[]>;
  /** Position in the user's hash chain, from 1 (0003). */
  seq: number;
  prev_hash: string;
  hash: string;
}

/** The personal values behind an event's digests (0003); deletable by erasure. */
export interface AuditValuesTable {
  event_id: string;
  position: number;
  from_value: ColumnType<unknown, string | null, string | null>;
  to_value: ColumnType<unknown, string | null, string | null>;
}

/** Per-user HMAC key for value digests (0003); erasure deletes it. */
export interface AuditKeysTable {
  user_id: string;
  key: Buffer;
  created_at: Generated<Date>;
}

export interface AuditChangeColumn {
  path: string;
  from: unknown;
  to: unknown;
}

export interface Database {
  users: UsersTable;
  identities: IdentitiesTable;
  profiles: ProfilesTable;
  audit_events: AuditEventsTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  user_roles: UserRolesTable;
  preferences: PreferencesTable;
  job_seeker_profiles: JobSeekerProfilesTable;
  user_skills: UserSkillsTable;
  attribute_definitions: AttributeDefinitionsTable;
  attribute_definition_versions: AttributeDefinitionVersionsTable;
  user_attributes: UserAttributesTable;
  profile_versions: ProfileVersionsTable;
  audit_values: AuditValuesTable;
  audit_keys: AuditKeysTable;
  media: MediaTable;
  erasure_object_deletions: ErasureObjectDeletionsTable;
  user_search: UserSearchTable;
  search_words: SearchWordsTable;
  role_events: RoleEventsTable;
}

export type UserRow = Selectable<UsersTable>;
export type IdentityRow = Selectable<IdentitiesTable>;
export type ProfileRow = Selectable<ProfilesTable>;
export type ProfileUpdate = Updateable<ProfilesTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;

// --- 0002: roles, preferences, job-seeker data, attributes, versions ---------

export interface RolesTable {
  name: string;
  description: ColumnType<string, string | undefined, string>;
  built_in: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface RolePermissionsTable {
  role: string;
  permission: string;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
  granted_at: Generated<Date>;
}

export interface PreferencesTable {
  user_id: string;
  language: string | null;
  theme: ColumnType<string, string | undefined, string>;
  notifications: ColumnType<Record<string, Record<string, boolean>>, string | undefined, string>;
  job_alert_frequency: ColumnType<string, string | undefined, string>;
  updated_at: Timestamp;
}

export interface SalaryColumn {
  min: number | null;
  max: number | null;
  currency: string;
  period: string;
}

export interface JobSeekerProfilesTable {
  user_id: string;
  open_to_work: ColumnType<boolean, boolean | undefined, boolean>;
  desired_titles: ColumnType<string[], string[] | undefined, string[]>;
  desired_locations: ColumnType<string[], string[] | undefined, string[]>;
  work_modes: ColumnType<string[], string[] | undefined, string[]>;
  employment_types: ColumnType<string[], string[] | undefined, string[]>;
  salary: ColumnType<SalaryColumn | null, string | null | undefined, string | null>;
  years_of_experience: number | null;
  notice_period_days: number | null;
  experience: ColumnType<unknown[], string | undefined, string>;
  education: ColumnType<unknown[], string | undefined, string>;
  work_authorization: ColumnType<unknown[], string | undefined, string>;
  /** 0004: the current resume (a ready `resume` media item). */
  resume_media_id: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
}

export interface UserSkillsTable {
  user_id: string;
  position: number;
  name: string;
  name_key: ColumnType<string, never, never>;
  level: string | null;
  years: number | null;
}

export interface AttributeDefinitionsTable {
  key: string;
  version: ColumnType<number, number | undefined, number>;
  schema: ColumnType<Record<string, unknown>, string, string>;
  description: ColumnType<string, string | undefined, string>;
  personal_data: boolean;
  visibility: 'self' | 'admins' | 'public';
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface AttributeDefinitionVersionsTable {
  key: string;
  version: number;
  schema: ColumnType<Record<string, unknown>, string, string>;
  description: string;
  personal_data: boolean;
  visibility: 'self' | 'admins' | 'public';
  created_at: Generated<Date>;
  created_by: string | null;
}

export interface UserAttributesTable {
  user_id: string;
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
}

export interface ProfileVersionsTable {
  user_id: string;
  version: number;
  document: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
}

// --- 0004: media (S3 object references) ----------------------------------------

export type MediaKind = 'photo' | 'resume' | 'document';
export type MediaStatus = 'pending' | 'ready';

export interface MediaTable {
  id: Generated<string>;
  user_id: string;
  kind: MediaKind;
  status: ColumnType<MediaStatus, MediaStatus | undefined, MediaStatus>;
  content_type: string;
  size_bytes: number;
  /** The client's file name, for display only: never part of the object key. */
  file_name: string;
  object_key: string;
  created_at: Generated<Date>;
  upload_expires_at: Date;
  completed_at: Date | null;
}

// --- 0005: administration (search read model, role definition record) ----------

/** Derived from users/identities/profiles/job_seeker_profiles/user_skills by triggers; never written by the application. */
export interface UserSearchTable {
  user_id: string;
  created_at: Date;
  status: UserStatus;
  /** lower(email) of the user's first identity. */
  email_key: string | null;
  /** lower(given, family, display name, email, headline): trigram-indexed. */
  search_text: string;
  /** Distinct lower-case words (2+ characters) of the names and headline, sorted: the typo dictionary's targets. */
  name_tokens: string[];
  /** The user's skills' name_key (lower case), sorted. */
  skills: string[];
  country: string | null;
  open_to_work: boolean;
  /** 0-100 in steps of 10 (docs/admin.md). */
  completeness: number;
}

/** Every word that was ever in a name or headline (trigram-indexed): free-text typos are corrected against it. */
export interface SearchWordsTable {
  word: string;
}

/** Append-only: every custom role definition change. */
export interface RoleEventsTable {
  id: Generated<string>;
  role: string;
  occurred_at: Generated<Date>;
  actor_type: 'user' | 'admin' | 'system';
  actor_id: string | null;
  source: string;
  action: string;
  request_id: string | null;
  description_before: string | null;
  /** Null with permissions_after when the role was deleted (action role.deleted). */
  description_after: string | null;
  permissions_before: string[] | null;
  permissions_after: string[] | null;
}

// --- 0006: erasure ------------------------------------------------------------------

export interface ErasureObjectDeletionsTable {
  object_key: string;
  user_id: string;
  requested_at: Generated<Date>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
}
