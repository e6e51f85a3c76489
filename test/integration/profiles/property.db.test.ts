import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { mergePatch } from './generators.js';

// An independent model of the writable document: RFC 7396, then defaults.
const TOPICS_OFF = { jobAlerts: false, applicationUpdates: false, messages: false, marketing: false };
const DEFAULTS = {
  profile: {
    givenName: null, familyName: null, displayName: null, dateOfBirth: null, mobilePhone: null, locale: null, timeZone: null,
    headline: null, bio: null, location: { city: null, region: null, country: null }, socialLinks: { linkedin: null, github: null, website: null },
    photo: null,
  },
  preferences: {
    language: null,
    theme: 'system',
    notifications: {
      email: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
      sms: TOPICS_OFF,
      push: { jobAlerts: true, applicationUpdates: true, messages: true, marketing: false },
    },
    jobAlertFrequency: 'weekly',
  },
  jobSeeker: {
    openToWork: false, desiredTitles: [], desiredLocations: [], workModes: [], employmentTypes: [], salaryExpectation: null,
    yearsOfExperience: null, noticePeriodDays: null, skills: [], experience: [], education: [], workAuthorization: [],
    resume: null,
  },
};

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

function fill(template: Json, value: Json): Json {
  if (isObject(template)) {
    const v = isObject(value) ? value : {};
    return Object.fromEntries(Object.keys(template).map((k) => [k, fill(template[k], v[k])]));
  }
  return value === undefined ? template : value;
}

function model(current: Json, patch: Json): Json {
  const next = fill(DEFAULTS, merge(current, patch)) as { jobSeeker: { skills: Record<string, Json>[] } };
  next.jobSeeker.skills = next.jobSeeker.skills.map((s) => ({ name: s.name, level: s.level ?? null, years: s.years ?? null }));
  return next;
}

describe('property: random merge-patch sequences', () => {
  let t: TestDatabase;
  let api: TestApp;
  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('after every patch the stored document equals the model, and versions/{n} reproduces every intermediate document', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mergePatch, { minLength: 1, maxLength: 6 }), async (patches) => {
        const token = api.tokenFor(`prop-${randomUUID()}`);
        const auth = { authorization: `Bearer ${token}` };
        const first = await api.app.inject({ method: 'GET', url: '/v1/me', headers: auth });
        let document = first.json();
        const documents = new Map<number, unknown>([[document.version, document]]);
        let expected: Json = { profile: document.profile, preferences: document.preferences, jobSeeker: document.jobSeeker };
        expect(expected).toEqual(DEFAULTS);

        for (const patch of patches) {
          const res = await api.app.inject({
            method: 'PATCH',
            url: '/v1/me',
            headers: { ...auth, 'content-type': 'application/merge-patch+json', 'if-match': `"${document.version}"` },
            payload: JSON.stringify(patch),
          });
          expect(res.statusCode, res.body).toBe(200);
          const next = res.json();
          const nextExpected = model(expected, patch);
          const changed = !deepEqual(nextExpected, expected);
          expect(next.version).toBe(document.version + (changed ? 1 : 0));
          expect({ profile: next.profile, preferences: next.preferences, jobSeeker: next.jobSeeker }).toEqual(nextExpected);
          const stored = (await api.app.inject({ method: 'GET', url: '/v1/me', headers: auth })).json();
          expect(stored).toEqual(next);
          document = next;
          expected = nextExpected;
          documents.set(next.version, next);
        }

        for (const [version, doc] of documents) {
          const res = await api.app.inject({ method: 'GET', url: `/v1/users/${document.id}/versions/${version}`, headers: auth });
          expect(res.statusCode).toBe(200);
          expect(res.json()).toEqual(doc);
        }
        const history = (await api.app.inject({ method: 'GET', url: '/v1/me/history?limit=200', headers: auth })).json();
        expect(history.items.map((i: { version: number }) => i.version)).toEqual([...documents.keys()].sort((a, b) => b - a));
      }),
      { numRuns: 20 },
    );
  });
});

function deepEqual(a: unknown, b: unknown): boolean {
  try {
    expect(a).toEqual(b);
    return true;
  } catch {
    return false;
  }
}
