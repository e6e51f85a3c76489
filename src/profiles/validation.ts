import countries from 'i18n-iso-countries';
import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import type { FieldError } from '../errors.js';
import type { CoreProfile, JobSeeker, Preferences, SocialLinks } from './model.js';

const MIN_AGE = 13;
const MAX_AGE = 120;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Hosts each social network's link must be on (https only). `null`: any host. */
const SOCIAL_HOSTS: Record<keyof SocialLinks, { pattern: RegExp; name: string } | null> = {
  linkedin: { pattern: /^([a-z]{2,3}\.|www\.)?linkedin\.com$/, name: 'linkedin.com' },
  github: { pattern: /^(www\.)?github\.com$/, name: 'github.com' },
  website: null,
};

interface Sections {
  profile: CoreProfile;
  preferences: Preferences;
  jobSeeker: JobSeeker;
}

/**
 * The rules JSON Schema cannot express, checked on what a patch changed
 * (`changed`: JSON Pointers of the changed leaves; an array is one leaf).
 * Checking only what changed means a rule tightened later never blocks an
 * unrelated edit. `today` is injectable for tests of the age limits.
 */
export function validateSections(sections: Sections, changed: ReadonlySet<string>, today = new Date()): FieldError[] {
  const errors: FieldError[] = [];
  const check = <T>(pointer: string, value: T | null, rule: (v: T) => string | null | FieldError[]) => {
    if (value === null || !changed.has(pointer)) return;
    const result = rule(value);
    if (typeof result === 'string') errors.push({ pointer, message: result });
    else if (Array.isArray(result)) errors.push(...result);
  };
  const { profile, preferences, jobSeeker } = sections;

  check('/profile/dateOfBirth', profile.dateOfBirth, (v) => checkDateOfBirth(v, today));
  // "Possible" (a real country code and a length that country uses), not
  // "allocated": reserved test ranges such as Ofcom's +44 7700 900xxx pass.
  check('/profile/mobilePhone', profile.mobilePhone, (v) => (isPossiblePhoneNumber(v) ? null : 'must be a valid E.164 phone number'));
  check('/profile/locale', profile.locale, (v) => (canonicalLocale(v) === null ? 'must be a BCP 47 language tag, e.g. en-GB' : null));
  check('/profile/timeZone', profile.timeZone, (v) => (isTimeZone(v) ? null : 'must be an IANA time zone, e.g. Europe/London'));
  check('/profile/location/country', profile.location.country, checkCountry);
  for (const network of Object.keys(SOCIAL_HOSTS) as (keyof SocialLinks)[]) {
    check(`/profile/socialLinks/${network}`, profile.socialLinks[network], (v) => checkLink(v, SOCIAL_HOSTS[network]));
  }

  check('/preferences/language', preferences.language, (v) => (canonicalLocale(v) === null ? 'must be a BCP 47 language tag, e.g. en' : null));

  check('/jobSeeker/salaryExpectation/currency', jobSeeker.salaryExpectation?.currency ?? null, (v) =>
    CURRENCIES.has(v) ? null : 'must be an ISO 4217 currency code',
  );
  for (const bound of ['min', 'max'] as const) {
    check(`/jobSeeker/salaryExpectation/${bound}`, jobSeeker.salaryExpectation, (s) =>
      s.min !== null && s.max !== null && s.min > s.max ? 'min must not be greater than max' : null,
    );
  }
  check('/jobSeeker/skills', jobSeeker.skills, (skills) =>
    duplicates(skills.map((s) => s.name.toLowerCase())).map((i) => ({ pointer: `/jobSeeker/skills/${i}/name`, message: 'is listed twice' })),
  );
  check('/jobSeeker/experience', jobSeeker.experience, (entries) =>
    entries.flatMap((e, i) => {
      const at = `/jobSeeker/experience/${i}`;
      const found: FieldError[] = [];
      if (e.startDate > currentMonth(today)) found.push({ pointer: `${at}/startDate`, message: 'must not be in the future' });
      if (e.endDate !== null && e.endDate < e.startDate) found.push({ pointer: `${at}/endDate`, message: 'must not be before startDate' });
      return found;
    }),
  );
  check('/jobSeeker/education', jobSeeker.education, (entries) =>
    entries.flatMap((e, i) =>
      e.startYear !== null && e.endYear !== null && e.endYear < e.startYear
        ? [{ pointer: `/jobSeeker/education/${i}/endYear`, message: 'must not be before startYear' }]
        : [],
    ),
  );
  check('/jobSeeker/workAuthorization', jobSeeker.workAuthorization, (entries) => [
    ...entries.flatMap((w, i) => {
      const message = checkCountry(w.country);
      return message === null ? [] : [{ pointer: `/jobSeeker/workAuthorization/${i}/country`, message }];
    }),
    ...duplicates(entries.map((w) => w.country)).map((i) => ({ pointer: `/jobSeeker/workAuthorization/${i}/country`, message: 'is listed twice' })),
  ]);
  return errors;
}

function checkDateOfBirth(value: string, today: Date): string | null {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return 'must be a real calendar date';
  }
  const age = ageOn(today, year, month, day);
  if (age < MIN_AGE || age > MAX_AGE) return `must make the user ${MIN_AGE} to ${MAX_AGE} years old`;
  return null;
}

function ageOn(today: Date, year: number, month: number, day: number): number {
  const beforeBirthday = today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  return today.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
}

function currentMonth(today: Date): string {
  return today.toISOString().slice(0, 7);
}

function checkCountry(value: string): string | null {
  return /^[A-Z]{2}$/.test(value) && countries.isValid(value) ? null : 'must be an ISO 3166-1 alpha-2 country code';
}

/** Indexes of the items that repeat an earlier one. */
function duplicates(values: string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((value, i) => {
    if (seen.has(value)) return [i];
    seen.add(value);
    return [];
  });
}

/** The canonical form of a BCP 47 tag (`en-gb` → `en-GB`), or null when it is not one. */
export function canonicalLocale(value: string): string | null {
  try {
    return Intl.getCanonicalLocales(value)[0] ?? null;
  } catch {
    return null;
  }
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function checkLink(value: string, host: { pattern: RegExp; name: string } | null): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (url.protocol !== 'https:') return 'must use https://';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (host !== null && !host.pattern.test(url.hostname)) return `must be a link on ${host.name}`;
  if (host === null && !url.hostname.includes('.')) return 'must be a public https:// URL';
  return null;
}
