import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  EMPLOYMENT_TYPES,
  JOB_ALERT_FREQUENCIES,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_TOPICS,
  SALARY_PERIODS,
  SKILL_LEVELS,
  THEMES,
  WORK_AUTHORIZATION_STATUSES,
  WORK_MODES,
} from './model.js';

/**
 * JSON Schemas of the profile document and of a PATCH to it. The HTTP layer
 * validates bodies and documents the API with them; the rules JSON Schema
 * cannot express (real dates, phone numbers, link hosts, ISO codes, ranges
 * between fields) are in validation.ts.
 */

export const LIMITS = {
  name: 100,
  headline: 200,
  bio: 4000,
  locale: 35,
  timeZone: 64,
  city: 100,
  url: 2048,
  listItems: 20,
  listItem: 100,
  skills: 100,
  skillName: 60,
  experience: 50,
  education: 20,
  description: 2000,
  institution: 200,
  workAuthorization: 50,
  years: 80,
  noticeDays: 365,
  salary: 100_000_000,
} as const;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Text = (maxLength: number, extra: Record<string, unknown> = {}) => Type.String({ minLength: 1, maxLength, ...extra });
const Enum = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });
const YearMonth = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const Year = Type.Integer({ minimum: 1900, maximum: 2100 });
const Opt = Type.Optional;

// --- Sections as they appear in a PATCH (members optional, null removes) ----

/** A link to a media item is set with its id only; the rest of the reference is the item's own. */
const MediaLink = (kind: 'photo' | 'resume') =>
  Type.Object(
    { id: Type.String({ format: 'uuid', description: `id of a ready ${kind} item of yours (POST /v1/me/media)` }) },
    { additionalProperties: false, description: `links a ${kind}; null unlinks it (the item itself stays in /v1/me/media)` },
  );

const LocationPatch = Type.Object(
  { city: Opt(Nullable(Text(LIMITS.city))), region: Opt(Nullable(Text(LIMITS.city))), country: Opt(Nullable(Country)) },
  { additionalProperties: false },
);

const SocialLinksPatch = Type.Object(
  {
    linkedin: Opt(Nullable(Text(LIMITS.url, { description: 'https://www.linkedin.com/in/…' }))),
    github: Opt(Nullable(Text(LIMITS.url, { description: 'https://github.com/…' }))),
    website: Opt(Nullable(Text(LIMITS.url, { description: 'any https:// URL' }))),
  },
  { additionalProperties: false },
);

export const CoreProfilePatch = Type.Object(
  {
    givenName: Opt(Nullable(Text(LIMITS.name))),
    familyName: Opt(Nullable(Text(LIMITS.name))),
    displayName: Opt(Nullable(Text(LIMITS.name))),
    dateOfBirth: Opt(Nullable(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD; age 13–120' }))),
    mobilePhone: Opt(Nullable(Type.String({ pattern: '^\\+[1-9]\\d{1,14}$', description: 'E.164' }))),
    locale: Opt(Nullable(Text(LIMITS.locale, { description: 'BCP 47 language tag, e.g. en-GB' }))),
    timeZone: Opt(Nullable(Text(LIMITS.timeZone, { description: 'IANA time zone, e.g. Europe/London' }))),
    headline: Opt(Nullable(Text(LIMITS.headline))),
    bio: Opt(Nullable(Text(LIMITS.bio))),
    location: Opt(Nullable(LocationPatch)),
    socialLinks: Opt(Nullable(SocialLinksPatch)),
    photo: Opt(Nullable(MediaLink('photo'))),
  },
  { additionalProperties: false },
);

const TopicsPatch = Type.Object(
  Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, Opt(Nullable(Type.Boolean()))])),
  { additionalProperties: false },
);

export const PreferencesPatch = Type.Object(
  {
    language: Opt(Nullable(Text(LIMITS.locale, { description: 'BCP 47 language tag, e.g. en' }))),
    theme: Opt(Nullable(Enum(THEMES))),
    notifications: Opt(
      Nullable(
        Type.Object(Object.fromEntries(NOTIFICATION_CHANNELS.map((c) => [c, Opt(Nullable(TopicsPatch))])), { additionalProperties: false }),
      ),
    ),
    jobAlertFrequency: Opt(Nullable(Enum(JOB_ALERT_FREQUENCIES))),
  },
  { additionalProperties: false, description: 'null resets a member to its default' },
);

const UniqueTextList = (maxItems: number) =>
  Type.Array(Text(LIMITS.listItem), { maxItems, uniqueItems: true, description: 'replaced as a whole' });

const Skill = Type.Object(
  {
    name: Text(LIMITS.skillName),
    level: Opt(Nullable(Enum(SKILL_LEVELS))),
    years: Opt(Nullable(Type.Integer({ minimum: 0, maximum: LIMITS.years }))),
  },
  { additionalProperties: false },
);

const Experience = Type.Object(
  {
    title: Text(LIMITS.name),
    company: Text(LIMITS.name),
    startDate: YearMonth,
    endDate: Opt(Nullable(YearMonth)),
    description: Opt(Nullable(Text(LIMITS.description))),
  },
  { additionalProperties: false },
);

const Education = Type.Object(
  {
    institution: Text(LIMITS.institution),
    degree: Opt(Nullable(Text(LIMITS.name))),
    field: Opt(Nullable(Text(LIMITS.name))),
    startYear: Opt(Nullable(Year)),
    endYear: Opt(Nullable(Year)),
  },
  { additionalProperties: false },
);

const WorkAuthorization = Type.Object({ country: Country, status: Enum(WORK_AUTHORIZATION_STATUSES) }, { additionalProperties: false });

const Salary = Type.Object(
  {
    min: Opt(Nullable(Type.Number({ minimum: 0, maximum: LIMITS.salary }))),
    max: Opt(Nullable(Type.Number({ minimum: 0, maximum: LIMITS.salary }))),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
    period: Enum(SALARY_PERIODS),
  },
  { additionalProperties: false },
);

export const JobSeekerPatch = Type.Object(
  {
    openToWork: Opt(Nullable(Type.Boolean())),
    desiredTitles: Opt(Nullable(UniqueTextList(LIMITS.listItems))),
    desiredLocations: Opt(Nullable(UniqueTextList(LIMITS.listItems))),
    workModes: Opt(Nullable(Type.Array(Enum(WORK_MODES), { uniqueItems: true }))),
    employmentTypes: Opt(Nullable(Type.Array(Enum(EMPLOYMENT_TYPES), { uniqueItems: true }))),
    salaryExpectation: Opt(Nullable(Salary)),
    yearsOfExperience: Opt(Nullable(Type.Integer({ minimum: 0, maximum: LIMITS.years }))),
    noticePeriodDays: Opt(Nullable(Type.Integer({ minimum: 0, maximum: LIMITS.noticeDays }))),
    skills: Opt(Nullable(Type.Array(Skill, { maxItems: LIMITS.skills }))),
    experience: Opt(Nullable(Type.Array(Experience, { maxItems: LIMITS.experience }))),
    education: Opt(Nullable(Type.Array(Education, { maxItems: LIMITS.education }))),
    workAuthorization: Opt(Nullable(Type.Array(WorkAuthorization, { maxItems: LIMITS.workAuthorization }))),
    resume: Opt(Nullable(MediaLink('resume'))),
  },
  { additionalProperties: false, description: 'arrays are replaced as a whole (RFC 7396)' },
);

/** RFC 7396 merge patch of the writable part of the document. */
export const ProfilePatch = Type.Object(
  {
    profile: Opt(Nullable(CoreProfilePatch)),
    preferences: Opt(Nullable(PreferencesPatch)),
    jobSeeker: Opt(Nullable(JobSeekerPatch)),
    attributes: Opt(
      Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'domain attributes, validated against their definitions' })),
    ),
  },
  { additionalProperties: false, description: 'RFC 7396 merge patch; null removes a value (or resets it to its default)' },
);
export type ProfilePatch = Static<typeof ProfilePatch>;

/** Top-level members of the document a client may read but not write. */
export const READ_ONLY_FIELDS = ['id', 'version', 'createdAt', 'updatedAt', 'identity', 'roles', 'permissions'];

// --- The document as it is returned -------------------------------------------

const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());

/**
 * A linked media item. The URL members are added when a document is served
 * (and only while the item exists); they are never stored, so versions/{n}
 * stays exactly what was saved. The member itself is absent from snapshots
 * saved before media support (migration 0004).
 */
const MediaRefSchema = Opt(
  Nullable(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      kind: Type.String(),
      contentType: Type.String(),
      sizeBytes: Type.Integer(),
      fileName: Type.String(),
      downloadUrl: Opt(Type.String({ description: 'short-lived presigned GET; fetch a new document (or GET /v1/me/media/{id}) when it has expired' })),
      downloadUrlExpiresAt: Opt(Type.String({ format: 'date-time' })),
    }),
  ),
);

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
      emailVerified: Nullable(Type.Boolean()),
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
      photo: MediaRefSchema,
    }),
    preferences: Type.Object({
      language: NullableString,
      theme: Type.String(),
      notifications: Type.Object(
        Object.fromEntries(
          NOTIFICATION_CHANNELS.map((c) => [c, Type.Object(Object.fromEntries(NOTIFICATION_TOPICS.map((t) => [t, Type.Boolean()])))]),
        ),
      ),
      jobAlertFrequency: Type.String(),
    }),
    jobSeeker: Type.Object({
      openToWork: Type.Boolean(),
      desiredTitles: Type.Array(Type.String()),
      desiredLocations: Type.Array(Type.String()),
      workModes: Type.Array(Type.String()),
      employmentTypes: Type.Array(Type.String()),
      salaryExpectation: Nullable(
        Type.Object({ min: Nullable(Type.Number()), max: Nullable(Type.Number()), currency: Type.String(), period: Type.String() }),
      ),
      yearsOfExperience: NullableInteger,
      noticePeriodDays: NullableInteger,
      skills: Type.Array(Type.Object({ name: Type.String(), level: NullableString, years: NullableInteger })),
      experience: Type.Array(
        Type.Object({ title: Type.String(), company: Type.String(), startDate: Type.String(), endDate: NullableString, description: NullableString }),
      ),
      education: Type.Array(
        Type.Object({ institution: Type.String(), degree: NullableString, field: NullableString, startYear: NullableInteger, endYear: NullableInteger }),
      ),
      workAuthorization: Type.Array(Type.Object({ country: Type.String(), status: Type.String() })),
      resume: MediaRefSchema,
    }),
    attributes: Type.Record(Type.String(), Type.Unknown()),
    roles: Type.Array(Type.String()),
    permissions: Type.Array(Type.String()),
  },
  { $id: 'ProfileDocument' },
);
