import countries from 'i18n-iso-countries';
import { isPossiblePhoneNumber } from 'libphonenumber-js/min';
import type { FieldError } from '../errors.js';
import type { CoreProfile, SocialLinks } from './model.js';

const MIN_AGE = 13;
const MAX_AGE = 120;

/** Hosts each social network's link must be on (https only). `null`: any host. */
const SOCIAL_HOSTS: Record<keyof SocialLinks, { pattern: RegExp; name: string } | null> = {
  linkedin: { pattern: /^([a-z]{2,3}\.|www\.)?linkedin\.com$/, name: 'linkedin.com' },
  github: { pattern: /^(www\.)?github\.com$/, name: 'github.com' },
  website: null,
};

/**
 * The rules JSON Schema cannot express, checked on the fields a patch sets.
 * `today` is injectable so that age limits can be tested on fixed dates.
 */
export function validateCoreProfile(profile: CoreProfile, changed: ReadonlySet<string>, today = new Date()): FieldError[] {
  const errors: FieldError[] = [];
  const check = (field: string, value: string | null, rule: (v: string) => string | null) => {
    if (value === null || !changed.has(field)) return;
    const message = rule(value);
    if (message !== null) errors.push({ pointer: `/profile/${field}`, message });
  };

  check('dateOfBirth', profile.dateOfBirth, (v) => checkDateOfBirth(v, today));
  // "Possible" (a real country code and a length that country uses), not
  // "allocated": reserved test ranges such as Ofcom's +44 7700 900xxx pass.
  check('mobilePhone', profile.mobilePhone, (v) => (isPossiblePhoneNumber(v) ? null : 'must be a valid E.164 phone number'));
  check('locale', profile.locale, (v) => (canonicalLocale(v) === null ? 'must be a BCP 47 language tag, e.g. en-GB' : null));
  check('timeZone', profile.timeZone, (v) => (isTimeZone(v) ? null : 'must be an IANA time zone, e.g. Europe/London'));
  check('location/country', profile.location.country, (v) =>
    countries.isValid(v) && /^[A-Z]{2}$/.test(v) ? null : 'must be an ISO 3166-1 alpha-2 country code',
  );
  for (const network of Object.keys(SOCIAL_HOSTS) as (keyof SocialLinks)[]) {
    check(`socialLinks/${network}`, profile.socialLinks[network], (v) => checkLink(v, SOCIAL_HOSTS[network]));
  }
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
  const beforeBirthday =
    today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  return today.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
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
