import { describe, expect, it } from 'vitest';
import { normalizeCoreProfile, normalizeJobSeeker, normalizePreferences, validateSections, canonicalLocale } from '../../../src/profiles/index.js';

const TODAY = new Date('2026-06-15T12:00:00Z');

function sections(raw: { profile?: unknown; preferences?: unknown; jobSeeker?: unknown } = {}) {
  return {
    profile: normalizeCoreProfile(raw.profile, canonicalLocale),
    preferences: normalizePreferences(raw.preferences),
    jobSeeker: normalizeJobSeeker(raw.jobSeeker),
  };
}

function pointers(raw: Parameters<typeof sections>[0], changed: string[]) {
  return validateSections(sections(raw), new Set(changed), TODAY).map((e) => e.pointer);
}

describe('validateSections: age limits on a fixed date', () => {
  it.each([
    ['2013-06-15', []], // exactly 13 today
    ['2013-06-16', ['/profile/dateOfBirth']], // 13 tomorrow
    ['1906-06-15', []], // exactly 120
    ['1905-06-14', ['/profile/dateOfBirth']], // 121
    ['2000-02-29', []], // leap day
    ['2001-02-29', ['/profile/dateOfBirth']], // not a leap year
    ['2000-13-01', ['/profile/dateOfBirth']],
  ])('%s → %j', (dateOfBirth, expected) => {
    expect(pointers({ profile: { dateOfBirth } }, ['/profile/dateOfBirth'])).toEqual(expected);
  });

  it('checks only the fields that changed', () => {
    expect(pointers({ profile: { dateOfBirth: '2025-01-01' } }, ['/profile/givenName'])).toEqual([]);
  });
});

describe('validateSections: links', () => {
  it('accepts the links it should', () => {
    const profile = { socialLinks: { linkedin: 'https://uk.linkedin.com/in/ada', github: 'https://github.com/ada', website: 'https://ada.dev/' } };
    expect(pointers({ profile }, ['/profile/socialLinks/linkedin', '/profile/socialLinks/github', '/profile/socialLinks/website'])).toEqual([]);
  });

  it('refuses credentials in links and hosts that only look right', () => {
    expect(pointers({ profile: { socialLinks: { linkedin: 'https://linkedin.com.evil.io/in/a' } } }, ['/profile/socialLinks/linkedin'])).toEqual([
      '/profile/socialLinks/linkedin',
    ]);
    expect(pointers({ profile: { socialLinks: { website: 'https://user:pw@ada.dev' } } }, ['/profile/socialLinks/website'])).toEqual([
      '/profile/socialLinks/website',
    ]);
  });
});

describe('validateSections: job-seeker rules', () => {
  it('experience cannot start in the future or end before it starts', () => {
    const jobSeeker = {
      experience: [
        { title: 'A', company: 'B', startDate: '2026-07', endDate: null },
        { title: 'A', company: 'B', startDate: '2020-05', endDate: '2020-04' },
        { title: 'A', company: 'B', startDate: '2020-05', endDate: '2020-05' },
      ],
    };
    expect(pointers({ jobSeeker }, ['/jobSeeker/experience'])).toEqual(['/jobSeeker/experience/0/startDate', '/jobSeeker/experience/1/endDate']);
  });

  it('skills and work-authorisation countries are unique', () => {
    const jobSeeker = {
      skills: [{ name: 'TypeScript' }, { name: 'typescript' }],
      workAuthorization: [{ country: 'GB', status: 'citizen' }, { country: 'GB', status: 'work_visa' }, { country: 'XX', status: 'citizen' }],
    };
    expect(pointers({ jobSeeker }, ['/jobSeeker/skills', '/jobSeeker/workAuthorization'])).toEqual([
      '/jobSeeker/skills/1/name',
      '/jobSeeker/workAuthorization/2/country',
      '/jobSeeker/workAuthorization/1/country',
    ]);
  });

  it('salary: ISO 4217 currency, min not above max', () => {
    const jobSeeker = { salaryExpectation: { min: 90, max: 10, currency: 'XYZ', period: 'year' } };
    expect(
      pointers({ jobSeeker }, ['/jobSeeker/salaryExpectation/min', '/jobSeeker/salaryExpectation/max', '/jobSeeker/salaryExpectation/currency']).sort(),
    ).toEqual(['/jobSeeker/salaryExpectation/currency', '/jobSeeker/salaryExpectation/max', '/jobSeeker/salaryExpectation/min']);
  });

  it('education cannot end before it starts', () => {
    const jobSeeker = { education: [{ institution: 'X', startYear: 2010, endYear: 2008 }] };
    expect(pointers({ jobSeeker }, ['/jobSeeker/education'])).toEqual(['/jobSeeker/education/0/endYear']);
  });
});

describe('normalisation', () => {
  it('fills defaults for removed members and nulls for absent optional item members', () => {
    const s = sections({ preferences: { theme: 'dark', notifications: { sms: { marketing: true } } }, jobSeeker: { skills: [{ name: 'Go' }] } });
    expect(s.preferences).toEqual({
      language: null,
      theme: 'dark',
      notifications: {
        email: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
        sms: { jobAlerts: false, applicationUpdates: false, messages: false, marketing: true },
        push: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
      },
      jobAlertFrequency: 'weekly',
    });
    expect(s.jobSeeker.skills).toEqual([{ name: 'Go', level: null, years: null }]);
    expect(s.jobSeeker.openToWork).toBe(false);
  });
});
