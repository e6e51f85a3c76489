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
  changes: Json<AuditChangeColumn[]>;
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
}

export type UserRow = Selectable<UsersTable>;
export type IdentityRow = Selectable<IdentitiesTable>;
export type ProfileRow = Selectable<ProfilesTable>;
export type ProfileUpdate = Updateable<ProfilesTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEvent = Insertable<AuditEventsTable>;
