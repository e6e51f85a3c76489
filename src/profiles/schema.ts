import { Type, type Static } from '@sinclair/typebox';

/**
 * JSON Schemas of the profile document and of a PATCH to it. The HTTP layer
 * validates bodies and documents the API with them; the rules JSON Schema
 * cannot express (real dates, phone numbers, link hosts, country codes) are
 * in validation.ts.
 */

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength: number, extra: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength, ...extra });

export const LIMITS = {
  name: 100,
  headline: 200,
  bio: 4000,
  locale: 35,
  timeZone: 64,
  phone: 16,
  city: 100,
  url: 2048,
} as const;

const LocationPatch = Type.Object(
  {
    city: Type.Optional(Nullable(Text(LIMITS.city))),
    region: Type.Optional(Nullable(Text(LIMITS.city))),
    country: Type.Optional(Nullable(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }))),
  },
  { additionalProperties: false },
);

const SocialLinksPatch = Type.Object(
  {
    linkedin: Type.Optional(Nullable(Text(LIMITS.url, { description: 'https://www.linkedin.com/in/…' }))),
    github: Type.Optional(Nullable(Text(LIMITS.url, { description: 'https://github.com/…' }))),
    website: Type.Optional(Nullable(Text(LIMITS.url, { description: 'any https:// URL' }))),
  },
  { additionalProperties: false },
);

export const CoreProfilePatch = Type.Object(
  {
    givenName: Type.Optional(Nullable(Text(LIMITS.name))),
    familyName: Type.Optional(Nullable(Text(LIMITS.name))),
    displayName: Type.Optional(Nullable(Text(LIMITS.name))),
    dateOfBirth: Type.Optional(Nullable(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD; age 13–120' }))),
    mobilePhone: Type.Optional(Nullable(Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'E.164' }))),
    locale: Type.Optional(Nullable(Text(LIMITS.locale, { description: 'BCP 47 language tag, e.g. en-GB' }))),
    timeZone: Type.Optional(Nullable(Text(LIMITS.timeZone, { description: 'IANA time zone, e.g. Europe/London' }))),
    headline: Type.Optional(Nullable(Text(LIMITS.headline))),
    bio: Type.Optional(Nullable(Text(LIMITS.bio))),
    location: Type.Optional(Type.Union([LocationPatch, Type.Null()])),
    socialLinks: Type.Optional(Type.Union([SocialLinksPatch, Type.Null()])),
  },
  { additionalProperties: false },
);

/** RFC 7396 merge patch of the writable part of the document. */
export const ProfilePatch = Type.Object(
  { profile: Type.Optional(Type.Union([CoreProfilePatch, Type.Null()])) },
  { additionalProperties: false, description: 'RFC 7396 merge patch; null removes a value' },
);
export type ProfilePatch = Static<typeof ProfilePatch>;

/** Top-level members of the document a client may read but not write. */
export const READ_ONLY_FIELDS = ['id', 'version', 'createdAt', 'updatedAt', 'identity', 'roles', 'permissions'];

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const ProfileDocumentSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    version: Type.Integer({ minimum: 1 }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    identity: Type.Object({
      issuer: Type.String(),
      subject: Type.String(),
      email: NullableString,
      emailVerified: Type.Union([Type.Boolean(), Type.Null()]),
    }),
    profile: Type.Object({
      givenName: NullableString,
      familyName: NullableString,
      displayName: NullableString,
      dateOfBirth: NullableString,
      mobilePhone: NullableString,
      locale: NullableString,
      timeZone: NullableString,
      headline: NullableString,
      bio: NullableString,
      location: Type.Object({ city: NullableString, region: NullableString, country: NullableString }),
      socialLinks: Type.Object({ linkedin: NullableString, github: NullableString, website: NullableString }),
    }),
  },
  { $id: 'ProfileDocument' },
);
