import type { IdentityRow, JobSeekerProfilesTable, MediaKind, MediaTable, PreferencesTable, ProfileRow, SocialLinksColumn, UserRow } from '../db/schema.js';
import type { Selectable } from 'kysely';

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

/**
 * A media item as the document shows it: a reference to a ready item, never
 * a URL. The document is versioned and snapshotted; a presigned URL expires
 * within minutes, so one is added only when a document is served.
 */
export interface MediaRef {
  id: string;
  kind: MediaKind;
  contentType: string;
  sizeBytes: number;
  fileName: string;
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
  /** A ready `photo` item of the user, set by PATCH with `{ "id": … }`. */
  photo: MediaRef | null;
}

export const NOTIFICATION_CHANNELS = ['email', 'sms', 'push'] as const;
export const NOTIFICATION_TOPICS = ['jobAlerts', 'applicationUpdates', 'messages', 'marketing'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];
export type NotificationSettings = Record<NotificationChannel, Record<NotificationTopic, boolean>>;

export const THEMES = ['system', 'light', 'dark'] as const;
export const JOB_ALERT_FREQUENCIES = ['off', 'daily', 'weekly', 'monthly'] as const;

export interface Preferences {
  language: string | null;
  theme: (typeof THEMES)[number];
  notifications: NotificationSettings;
  jobAlertFrequency: (typeof JOB_ALERT_FREQUENCIES)[number];
}

export const WORK_MODES = ['remote', 'hybrid', 'onsite'] as const;
export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contract', 'temporary', 'internship', 'freelance'] as const;
export const SKILL_LEVELS = ['beginner', 'intermediate', 'advanced', 'expert'] as const;
export const SALARY_PERIODS = ['year', 'month', 'week', 'day', 'hour'] as const;
export const WORK_AUTHORIZATION_STATUSES = ['citizen', 'permanent_resident', 'work_visa', 'requires_sponsorship'] as const;

export interface Skill {
  name: string;
  level: (typeof SKILL_LEVELS)[number] | null;
  years: number | null;
}

export interface Experience {
  title: string;
  company: string;
  /** `YYYY-MM`. */
  startDate: string;
  endDate: string | null;
  description: string | null;
}

export interface Education {
  institution: string;
  degree: string | null;
  field: string | null;
  startYear: number | null;
  endYear: number | null;
}

export interface WorkAuthorization {
  country: string;
  status: (typeof WORK_AUTHORIZATION_STATUSES)[number];
}

export interface SalaryExpectation {
  min: number | null;
  max: number | null;
  /** ISO 4217. */
  currency: string;
  period: (typeof SALARY_PERIODS)[number];
}

export interface JobSeeker {
  openToWork: boolean;
  desiredTitles: string[];
  desiredLocations: string[];
  workModes: (typeof WORK_MODES)[number][];
  employmentTypes: (typeof EMPLOYMENT_TYPES)[number][];
  salaryExpectation: SalaryExpectation | null;
  yearsOfExperience: number | null;
  noticePeriodDays: number | null;
  skills: Skill[];
  experience: Experience[];
  education: Education[];
  workAuthorization: WorkAuthorization[];
  /** The current resume: a ready `resume` item. Earlier ones stay in /v1/me/media until deleted. */
  resume: MediaRef | null;
}

export interface IdentityView {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
}

/** The sections a user (or an admin) can write through a merge patch. */
export interface WritableSections {
  profile: CoreProfile;
  preferences: Preferences;
  jobSeeker: JobSeeker;
  attributes: Record<string, unknown>;
}

/** The profile document of API.md §3. */
export interface ProfileDocument extends WritableSections {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  identity: IdentityView;
  roles: string[];
  permissions: string[];
}

export const DEFAULT_NOTIFICATIONS: NotificationSettings = {
  email: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
  sms: { jobAlerts: false, applicationUpdates: false, messages: false, marketing: false },
  push: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
};

/** Everything one document is built from. */
export interface DocumentRows {
  user: UserRow;
  identity: IdentityRow;
  profile: ProfileRow;
  preferences: Selectable<PreferencesTable>;
  jobSeeker: Selectable<JobSeekerProfilesTable>;
  skills: Skill[];
  attributes: Record<string, unknown>;
  roles: string[];
  permissions: string[];
  /** The linked items, when there are links. */
  photo: MediaRefColumns | null;
  resume: MediaRefColumns | null;
}

export type MediaRefColumns = Pick<Selectable<MediaTable>, 'id' | 'kind' | 'content_type' | 'size_bytes' | 'file_name'>;

export function toMediaRef(row: MediaRefColumns): MediaRef {
  return { id: row.id, kind: row.kind, contentType: row.content_type, sizeBytes: Number(row.size_bytes), fileName: row.file_name };
}

/** The one mapper from rows to the document. */
export function toProfileDocument(rows: DocumentRows): ProfileDocument {
  return {
    id: rows.user.id,
    version: rows.user.version,
    createdAt: rows.user.created_at.toISOString(),
    updatedAt: rows.user.updated_at.toISOString(),
    identity: {
      issuer: rows.identity.issuer,
      subject: rows.identity.subject,
      email: rows.identity.email,
      emailVerified: rows.identity.email_verified,
    },
    profile: toCoreProfile(rows.profile, rows.photo),
    preferences: toPreferences(rows.preferences),
    jobSeeker: toJobSeeker(rows.jobSeeker, rows.skills, rows.resume),
    attributes: rows.attributes,
    roles: rows.roles,
    permissions: rows.permissions,
  };
}

export function toCoreProfile(row: ProfileRow, photo: MediaRefColumns | null = null): CoreProfile {
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
    photo: photo === null ? null : toMediaRef(photo),
  };
}

function toPreferences(row: Selectable<PreferencesTable>): Preferences {
  return normalizePreferences({
    language: row.language,
    theme: row.theme,
    notifications: row.notifications,
    jobAlertFrequency: row.job_alert_frequency,
  });
}

function toJobSeeker(row: Selectable<JobSeekerProfilesTable>, skills: Skill[], resume: MediaRefColumns | null): JobSeeker {
  return {
    openToWork: row.open_to_work,
    desiredTitles: row.desired_titles,
    desiredLocations: row.desired_locations,
    workModes: row.work_modes as JobSeeker['workModes'],
    employmentTypes: row.employment_types as JobSeeker['employmentTypes'],
    salaryExpectation: row.salary as SalaryExpectation | null,
    yearsOfExperience: row.years_of_experience,
    noticePeriodDays: row.notice_period_days,
    skills,
    experience: row.experience as Experience[],
    education: row.education as Education[],
    workAuthorization: row.work_authorization as WorkAuthorization[],
    resume: resume === null ? null : toMediaRef(resume),
  };
}

// --- Normalisation: a merge-patched plain object back into the model -------

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Plain => (isPlain(value) ? value : {});
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const int = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const oneOf = <T extends string>(value: unknown, allowed: readonly T[], fallback: T): T =>
  allowed.includes(value as T) ? (value as T) : fallback;

/**
 * The reference a merge patch leaves behind. Only `id` is the client's: the
 * other members may be left over from the item it replaces, so the service
 * resolves the id against the database (resolveMediaLinks) before anything
 * is stored or diffed.
 */
function claimedMediaRef(value: unknown, kind: MediaKind): MediaRef | null {
  const ref = obj(value);
  const id = text(ref.id);
  if (id === null) return null;
  return { id, kind, contentType: text(ref.contentType) ?? '', sizeBytes: int(ref.sizeBytes) ?? 0, fileName: text(ref.fileName) ?? '' };
}

/** Members that are absent after a merge patch (removed with null) take their defaults. */
export function normalizeCoreProfile(raw: unknown, canonicalLocale: (v: string) => string | null): CoreProfile {
  const p = obj(raw);
  const location = obj(p.location);
  const links = obj(p.socialLinks);
  const locale = text(p.locale);
  return {
    givenName: text(p.givenName),
    familyName: text(p.familyName),
    displayName: text(p.displayName),
    dateOfBirth: text(p.dateOfBirth),
    mobilePhone: text(p.mobilePhone),
    locale: locale === null ? null : (canonicalLocale(locale) ?? locale),
    timeZone: text(p.timeZone),
    headline: text(p.headline),
    bio: text(p.bio),
    location: { city: text(location.city), region: text(location.region), country: text(location.country) },
    socialLinks: { linkedin: text(links.linkedin), github: text(links.github), website: text(links.website) },
    photo: claimedMediaRef(p.photo, 'photo'),
  };
}

export function normalizePreferences(raw: unknown): Preferences {
  const p = obj(raw);
  const notifications = obj(p.notifications);
  return {
    language: text(p.language),
    theme: oneOf(p.theme, THEMES, 'system'),
    notifications: Object.fromEntries(
      NOTIFICATION_CHANNELS.map((channel) => {
        const topics = obj(notifications[channel]);
        return [
          channel,
          Object.fromEntries(
            NOTIFICATION_TOPICS.map((topic) => [topic, typeof topics[topic] === 'boolean' ? topics[topic] : DEFAULT_NOTIFICATIONS[channel][topic]]),
          ),
        ];
      }),
    ) as NotificationSettings,
    jobAlertFrequency: oneOf(p.jobAlertFrequency, JOB_ALERT_FREQUENCIES, 'weekly'),
  };
}

/**
 * Arrays are replaced whole by a merge patch (RFC 7396); their items are
 * complete values, with absent optional members stored as null so that what
 * is read back equals what was written.
 */
export function normalizeJobSeeker(raw: unknown): JobSeeker {
  const j = obj(raw);
  const salary = isPlain(j.salaryExpectation) ? j.salaryExpectation : null;
  return {
    openToWork: j.openToWork === true,
    desiredTitles: list(j.desiredTitles) as string[],
    desiredLocations: list(j.desiredLocations) as string[],
    workModes: list(j.workModes) as JobSeeker['workModes'],
    employmentTypes: list(j.employmentTypes) as JobSeeker['employmentTypes'],
    salaryExpectation:
      salary === null
        ? null
        : { min: int(salary.min), max: int(salary.max), currency: text(salary.currency) ?? '', period: oneOf(salary.period, SALARY_PERIODS, 'year') },
    yearsOfExperience: int(j.yearsOfExperience),
    noticePeriodDays: int(j.noticePeriodDays),
    skills: list(j.skills).map((s) => {
      const skill = obj(s);
      return { name: text(skill.name) ?? '', level: (text(skill.level) as Skill['level']) ?? null, years: int(skill.years) };
    }),
    experience: list(j.experience).map((e) => {
      const x = obj(e);
      return {
        title: text(x.title) ?? '',
        company: text(x.company) ?? '',
        startDate: text(x.startDate) ?? '',
        endDate: text(x.endDate),
        description: text(x.description),
      };
    }),
    education: list(j.education).map((e) => {
      const x = obj(e);
      return {
        institution: text(x.institution) ?? '',
        degree: text(x.degree),
        field: text(x.field),
        startYear: int(x.startYear),
        endYear: int(x.endYear),
      };
    }),
    workAuthorization: list(j.workAuthorization).map((w) => {
      const x = obj(w);
      return { country: text(x.country) ?? '', status: x.status as WorkAuthorization['status'] };
    }),
    resume: claimedMediaRef(j.resume, 'resume'),
  };
}

// --- Columns: the model back into rows ------------------------------------

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
    photo_media_id: profile.photo?.id ?? null,
  };
}

export function toPreferencesColumns(preferences: Preferences) {
  return {
    language: preferences.language,
    theme: preferences.theme,
    notifications: JSON.stringify(preferences.notifications),
    job_alert_frequency: preferences.jobAlertFrequency,
  };
}

export function toJobSeekerColumns(jobSeeker: JobSeeker) {
  return {
    open_to_work: jobSeeker.openToWork,
    desired_titles: jobSeeker.desiredTitles,
    desired_locations: jobSeeker.desiredLocations,
    work_modes: jobSeeker.workModes,
    employment_types: jobSeeker.employmentTypes,
    salary: jobSeeker.salaryExpectation === null ? null : JSON.stringify(jobSeeker.salaryExpectation),
    years_of_experience: jobSeeker.yearsOfExperience,
    notice_period_days: jobSeeker.noticePeriodDays,
    experience: JSON.stringify(jobSeeker.experience),
    education: JSON.stringify(jobSeeker.education),
    work_authorization: JSON.stringify(jobSeeker.workAuthorization),
    resume_media_id: jobSeeker.resume?.id ?? null,
  };
}
