import fc from 'fast-check';

/**
 * Valid values for every writable member, and random merge patches built
 * from them (with null to remove). Kept valid on purpose: the property is
 * about storage, versioning and history, not about rejection.
 */

const name = fc.stringMatching(/^[A-Za-zÀ-ÿ' -]{1,30}$/).filter((s) => s.trim().length > 0);
const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
const dateOfBirth = fc
  .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2005-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const yearMonth = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 7));
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });

const location = fc.record(
  { city: nullable(name), region: nullable(name), country: nullable(fc.constantFrom('GB', 'FR', 'US', 'DE', 'JP')) },
  { requiredKeys: [] },
);
const socialLinks = fc.record(
  {
    linkedin: nullable(fc.stringMatching(/^[a-z0-9-]{3,20}$/).map((h) => `https://www.linkedin.com/in/${h}`)),
    github: nullable(fc.stringMatching(/^[a-z0-9-]{3,20}$/).map((h) => `https://github.com/${h}`)),
    website: nullable(fc.stringMatching(/^[a-z0-9]{3,12}$/).map((h) => `https://${h}.example.com/`)),
  },
  { requiredKeys: [] },
);

export const profilePatch = fc.record(
  {
    givenName: nullable(name),
    familyName: nullable(name),
    displayName: nullable(text(40)),
    dateOfBirth: nullable(dateOfBirth),
    mobilePhone: nullable(fc.constantFrom('+447700900123', '+14155550123', '+33612345678')),
    locale: nullable(fc.constantFrom('en', 'en-GB', 'fr-FR', 'de')),
    timeZone: nullable(fc.constantFrom('Europe/London', 'America/New_York', 'Asia/Tokyo')),
    headline: nullable(text(80)),
    bio: nullable(text(300)),
    location: nullable(location),
    socialLinks: nullable(socialLinks),
  },
  { requiredKeys: [] },
);

const topics = fc.record(
  { jobAlerts: nullable(fc.boolean()), applicationUpdates: nullable(fc.boolean()), messages: nullable(fc.boolean()), marketing: nullable(fc.boolean()) },
  { requiredKeys: [] },
);

export const preferencesPatch = fc.record(
  {
    language: nullable(fc.constantFrom('en', 'fr', 'de-CH')),
    theme: nullable(fc.constantFrom('system', 'light', 'dark')),
    notifications: nullable(fc.record({ email: nullable(topics), sms: nullable(topics), push: nullable(topics) }, { requiredKeys: [] })),
    jobAlertFrequency: nullable(fc.constantFrom('off', 'daily', 'weekly', 'monthly')),
  },
  { requiredKeys: [] },
);

const skills = fc
  .uniqueArray(fc.constantFrom('TypeScript', 'Go', 'SQL', 'Rust', 'Kotlin', 'Figma', 'Excel'), { maxLength: 5 })
  .chain((names) =>
    fc.tuple(...names.map((n) => fc.record({ name: fc.constant(n), level: nullable(fc.constantFrom('beginner', 'intermediate', 'advanced', 'expert')), years: nullable(fc.integer({ min: 0, max: 40 })) }, { requiredKeys: ['name'] }))),
  );
const experience = fc.array(
  fc.tuple(yearMonth, yearMonth, name, name, nullable(text(100))).map(([a, b, title, company, description]) => {
    const [startDate, endDate] = a <= b ? [a, b] : [b, a];
    return { title, company, startDate, endDate: endDate === startDate ? null : endDate, description };
  }),
  { maxLength: 3 },
);
const education = fc.array(
  fc.tuple(fc.integer({ min: 1970, max: 2020 }), fc.integer({ min: 0, max: 6 }), name).map(([start, length, institution]) => ({
    institution,
    degree: 'BSc',
    field: null,
    startYear: start,
    endYear: start + length,
  })),
  { maxLength: 2 },
);
const workAuthorization = fc
  .uniqueArray(fc.constantFrom('GB', 'FR', 'US', 'DE'), { maxLength: 3 })
  .chain((countries) => fc.tuple(...countries.map((country) => fc.record({ country: fc.constant(country), status: fc.constantFrom('citizen', 'permanent_resident', 'work_visa', 'requires_sponsorship') }))));
const salary = fc
  .tuple(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 200_000 }), fc.constantFrom('GBP', 'EUR', 'USD'), fc.constantFrom('year', 'month', 'hour'))
  .map(([a, b, currency, period]) => ({ min: Math.min(a, b), max: Math.max(a, b), currency, period }));

export const jobSeekerPatch = fc.record(
  {
    openToWork: nullable(fc.boolean()),
    desiredTitles: nullable(fc.uniqueArray(name, { maxLength: 3 })),
    desiredLocations: nullable(fc.uniqueArray(name, { maxLength: 3 })),
    workModes: nullable(fc.uniqueArray(fc.constantFrom('remote', 'hybrid', 'onsite'), { maxLength: 3 })),
    employmentTypes: nullable(fc.uniqueArray(fc.constantFrom('full_time', 'part_time', 'contract'), { maxLength: 3 })),
    salaryExpectation: nullable(salary),
    yearsOfExperience: nullable(fc.integer({ min: 0, max: 50 })),
    noticePeriodDays: nullable(fc.integer({ min: 0, max: 120 })),
    skills: nullable(skills),
    experience: nullable(experience),
    education: nullable(education),
    workAuthorization: nullable(workAuthorization),
  },
  { requiredKeys: [] },
);

export const mergePatch = fc.record(
  { profile: nullable(profilePatch), preferences: nullable(preferencesPatch), jobSeeker: nullable(jobSeekerPatch) },
  { requiredKeys: [] },
);
