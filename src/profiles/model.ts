import type { IdentityRow, ProfileRow, SocialLinksColumn, UserRow } from '../db/schema.js';

export interface Location {
  city: string | null;
  region: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string | null;
}

export interface SocialLinks {
  linkedin: string | null;
  github: string | null;
  website: string | null;
}

export interface CoreProfile {
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  dateOfBirth: string | null;
  mobilePhone: string | null;
  locale: string | null;
  timeZone: string | null;
  headline: string | null;
  bio: string | null;
  location: Location;
  socialLinks: SocialLinks;
}

export interface IdentityView {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
}

/** The profile document of API.md §3 (the sections built so far). */
export interface ProfileDocument {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  identity: IdentityView;
  profile: CoreProfile;
}

export const SOCIAL_NETWORKS = ['linkedin', 'github', 'website'] as const;

/** The one mapper from rows to the document. */
export function toProfileDocument(user: UserRow, identity: IdentityRow, profile: ProfileRow): ProfileDocument {
  return {
    id: user.id,
    version: user.version,
    createdAt: user.created_at.toISOString(),
    updatedAt: user.updated_at.toISOString(),
    identity: {
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      emailVerified: identity.email_verified,
    },
    profile: toCoreProfile(profile),
  };
}

export function toCoreProfile(row: ProfileRow): CoreProfile {
  const links: SocialLinksColumn = row.social_links ?? {};
  return {
    givenName: row.given_name,
    familyName: row.family_name,
    displayName: row.display_name,
    dateOfBirth: row.date_of_birth,
    mobilePhone: row.mobile_phone,
    locale: row.locale,
    timeZone: row.time_zone,
    headline: row.headline,
    bio: row.bio,
    location: { city: row.location_city, region: row.location_region, country: row.location_country },
    socialLinks: { linkedin: links.linkedin ?? null, github: links.github ?? null, website: links.website ?? null },
  };
}

/** The inverse of toCoreProfile, for writing. */
export function toProfileColumns(profile: CoreProfile) {
  return {
    given_name: profile.givenName,
    family_name: profile.familyName,
    display_name: profile.displayName,
    date_of_birth: profile.dateOfBirth,
    mobile_phone: profile.mobilePhone,
    locale: profile.locale,
    time_zone: profile.timeZone,
    headline: profile.headline,
    bio: profile.bio,
    location_city: profile.location.city,
    location_region: profile.location.region,
    location_country: profile.location.country,
    social_links: JSON.stringify(profile.socialLinks),
  };
}
