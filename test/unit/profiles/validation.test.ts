import { describe, expect, it } from 'vitest';
import { validateCoreProfile, type CoreProfile } from '../../../src/profiles/index.js';

const EMPTY: CoreProfile = {
  givenName: null, familyName: null, displayName: null, dateOfBirth: null, mobilePhone: null, locale: null, timeZone: null,
  headline: null, bio: null, location: { city: null, region: null, country: null }, socialLinks: { linkedin: null, github: null, website: null },
};
const TODAY = new Date('2026-06-15T12:00:00Z');

function errorsFor(field: string, patch: Partial<CoreProfile>) {
  return validateCoreProfile({ ...EMPTY, ...patch }, new Set([field]), TODAY).map((e) => e.pointer);
}

describe('validateCoreProfile: age limits on a fixed date', () => {
  it.each([
    ['2013-06-15', []], // exactly 13 today
    ['2013-06-16', ['/profile/dateOfBirth']], // 13 tomorrow
    ['1906-06-15', []], // exactly 120
    ['1905-06-14', ['/profile/dateOfBirth']], // 121
    ['2000-02-29', []], // leap day
    ['2001-02-29', ['/profile/dateOfBirth']], // not a leap year
    ['2000-13-01', ['/profile/dateOfBirth']],
  ])('%s → %j', (dateOfBirth, expected) => {
    expect(errorsFor('dateOfBirth', { dateOfBirth })).toEqual(expected);
  });

  it('checks only the fields that changed', () => {
    expect(validateCoreProfile({ ...EMPTY, dateOfBirth: '2025-01-01' }, new Set(['givenName']), TODAY)).toEqual([]);
  });

  it('accepts the links it should', () => {
    const socialLinks = { linkedin: 'https://uk.linkedin.com/in/ada', github: 'https://github.com/ada', website: 'https://ada.dev/' };
    const changed = new Set(['socialLinks/linkedin', 'socialLinks/github', 'socialLinks/website']);
    expect(validateCoreProfile({ ...EMPTY, socialLinks }, changed, TODAY)).toEqual([]);
  });

  it('refuses credentials in links and hosts that only look right', () => {
    expect(errorsFor('socialLinks/linkedin', { socialLinks: { ...EMPTY.socialLinks, linkedin: 'https://linkedin.com.evil.io/in/a' } })).toEqual(['/profile/socialLinks/linkedin']);
    expect(errorsFor('socialLinks/website', { socialLinks: { ...EMPTY.socialLinks, website: 'https://user:pw@ada.dev' } })).toEqual(['/profile/socialLinks/website']);
  });
});
