import { createHash } from 'node:crypto';
import { GENESIS_PREV_HASH } from '../audit/chain.js';
import {
  BIOS,
  COMPANIES,
  COUNTRIES,
  EMPLOYMENT_TYPES,
  FIELDS,
  JOB_ALERT_FREQUENCIES,
  NOTICE_PERIODS,
  REGIONS,
  SENIORITY,
  SKILL_LEVELS,
  SKILLS,
  TITLES,
  UNIVERSITIES,
  WORK_MODES,
  type CountryInfo,
} from './data.js';
import { Random, UuidV7Source, WeightedPicker } from './random.js';

/** The columns each COPY writes, in order (the rest take their defaults). */
export const COPY_COLUMNS = {
  users: ['id', 'status', 'version', 'created_at', 'updated_at'],
  identities: ['id', 'user_id', 'issuer', 'subject', 'email', 'email_verified', 'created_at', 'updated_at'],
  profiles: [
    'user_id', 'given_name', 'family_name', 'display_name', 'date_of_birth', 'locale', 'time_zone', 'headline', 'bio',
    'location_city', 'location_country', 'social_links', 'updated_at',
  ],
  preferences: ['user_id', 'language', 'job_alert_frequency', 'updated_at'],
  job_seeker_profiles: [
    'user_id', 'open_to_work', 'desired_titles', 'desired_locations', 'work_modes', 'employment_types', 'salary',
    'years_of_experience', 'notice_period_days', 'experience', 'education', 'work_authorization', 'updated_at',
  ],
  user_skills: ['user_id', 'position', 'name', 'level', 'years'],
  user_roles: ['user_id', 'role', 'granted_at'],
  audit_events: ['id', 'user_id', 'occurred_at', 'actor_type', 'actor_id', 'source', 'action', 'version', 'request_id', 'changes', 'seq', 'prev_hash', 'hash'],
  // Last: the read model, as the view user_search_source would compute it (a test holds them equal).
  user_search: ['user_id', 'created_at', 'status', 'email_key', 'search_text', 'name_tokens', 'skills', 'country', 'open_to_work', 'completeness'],
} as const;

export type SeedTable = keyof typeof COPY_COLUMNS;
export const SEED_TABLES = Object.keys(COPY_COLUMNS) as SeedTable[];

/** Seeded users are "provisioned" by this system actor and source; their chain holds one event. */
export const SEED_ACTOR = 'seed';
export const SEED_ACTION = 'user.seeded';

export interface GeneratorOptions {
  issuer: string;
  /** Sign-ups are spread over the `spanDays` before this instant, more of them recent. */
  now: Date;
  spanDays: number;
  seed: number;
  /** Users are numbered from firstSerial + 1 (their email addresses carry the number). */
  firstSerial?: number;
  /** Users in the whole run (serials 1 … total): sign-up times then rise with the serial. */
  total?: number;
}

export interface GeneratedBatch {
  userIds: string[];
  /** COPY text-format data per table. */
  data: Record<SeedTable, string>;
  /** The distinct name_tokens of the batch, for the typo dictionary (search_words). */
  words: string[];
}

const DAY = 86_400_000;
const NULL = '\\N';

/**
 * Builds batches of realistic synthetic users as COPY text: every row a
 * user provisioned by `ensureUser` would have (identity, profile,
 * preferences, job-seeker row, the job_seeker role) filled in the way people
 * fill them, plus one hash-chained audit event (`user.seeded`, no changes)
 * so that `audit verify` checks them like any other user.
 */
export class UserGenerator {
  private readonly random: Random;
  private readonly ids = new UuidV7Source();
  private readonly countries: WeightedPicker<CountryInfo>;
  private readonly skills: WeightedPicker<string>;
  private serial: number;
  private readonly slugs = new Map<string, string>();
  private readonly words = new Set<string>();

  constructor(private readonly options: GeneratorOptions) {
    this.random = new Random(options.seed);
    this.serial = options.firstSerial ?? 0;
    this.countries = new WeightedPicker(COUNTRIES, COUNTRIES.map((c) => c.weight));
    this.skills = new WeightedPicker(SKILLS, SKILLS.map((_, rank) => 1 / (rank + 1)));
  }

  batch(size: number): GeneratedBatch {
    const out: Record<SeedTable, string[]> = {
      users: [],
      identities: [],
      profiles: [],
      preferences: [],
      job_seeker_profiles: [],
      user_skills: [],
      user_roles: [],
      audit_events: [],
      user_search: [],
    };
    const userIds: string[] = [];
    this.words.clear();
    for (let i = 0; i < size; i++) userIds.push(this.user(out));
    const data = {} as Record<SeedTable, string>;
    for (const table of SEED_TABLES) data[table] = out[table].join('');
    return { userIds, data, words: [...this.words] };
  }

  private slug(given: string, family: string): string {
    const key = `${given}.${family}`;
    let slug = this.slugs.get(key);
    if (slug === undefined) this.slugs.set(key, (slug = ascii(key)));
    return slug;
  }

  private user(out: Record<SeedTable, string[]>): string {
    const r = this.random;
    const serial = ++this.serial;
    // Growth: density rises towards now (age = span * (1 - sqrt(u)), u uniform). In a run of known
    // size, user n of N draws u from the n-th of N equal strata: the same distribution, but users
    // (and their UUIDv7 ids) come in sign-up order, as in production, so every index keyed by the
    // user id grows at its right edge instead of splitting pages all over (a third of the load's cost).
    const u = this.options.total === undefined ? r.next() : Math.min(1, (serial - 1 + r.next()) / this.options.total);
    const createdMs = Math.floor(this.options.now.getTime() - this.options.spanDays * DAY * (1 - Math.sqrt(u)));
    const created = new Date(createdMs).toISOString();
    const id = this.ids.next(createdMs);
    const country = this.countries.pick(r);
    const region = REGIONS[country.region]!;
    const given = r.pick(region.given);
    const family = r.pick(region.family);
    const slug = this.slug(given, family);
    const email = `${slug}.${serial.toString(36)}@example.${country.tld}`;

    out.users.push(`${id}\tactive\t1\t${created}\t${created}\n`);
    out.identities.push(
      `${this.ids.next(createdMs)}\t${id}\t${this.options.issuer}\tseed-${id}\t${email}\t${r.chance(0.92) ? 't' : 'f'}\t${created}\t${created}\n`,
    );

    const title = r.pick(TITLES);
    const seniority = r.pick(SENIORITY);
    const role = seniority === '' ? title : `${seniority} ${title}`;
    const headline = r.chance(0.85) ? (r.chance(0.6) ? `${role} at ${r.pick(COMPANIES)}` : role) : null;
    const age = r.int(19, 64);
    const birth = new Date(createdMs - age * 365.25 * DAY - r.int(0, 364) * DAY).toISOString().slice(0, 10);
    const hasCountry = r.chance(0.96);
    const displayName = r.chance(0.6) ? `${given} ${family[0]}.` : null;
    const hasBirth = r.chance(0.7);
    const bio = r.chance(0.4) ? r.pick(BIOS) : null;
    const hasLinkedin = r.chance(0.5);
    const links = hasLinkedin ? `{"linkedin": "https://www.linkedin.com/in/${slug.toLowerCase().replace(/\./g, '-')}-${serial.toString(36)}"}` : '{}';
    out.profiles.push(
      [
        id,
        given,
        family,
        displayName ?? NULL,
        hasBirth ? birth : NULL,
        country.locale,
        country.timeZone,
        headline ?? NULL,
        bio ?? NULL,
        hasCountry && r.chance(0.9) ? r.pick(country.cities) : NULL,
        hasCountry ? country.code : NULL,
        links,
        created,
      ].join('\t') + '\n',
    );
    out.preferences.push(`${id}\t${country.locale.slice(0, 2)}\t${r.pick(JOB_ALERT_FREQUENCIES)}\t${created}\n`);

    const years = Math.max(0, Math.min(45, age - 22 + r.int(-3, 3)));
    // Built as text (JSON.stringify per user is the generator's largest cost); the values need no escaping.
    const hasExperience = r.chance(0.7);
    const experience = hasExperience ? experienceJson(r, role, r.int(1, 3)) : '[]';
    const hasEducation = r.chance(0.65);
    const education = hasEducation
      ? `[{"institution": "${r.pick(UNIVERSITIES)}", "degree": "${r.chance(0.7) ? 'BSc' : 'MSc'}", "field": "${r.pick(FIELDS)}", "startYear": ${2020 - years}, "endYear": ${2024 - years}}]`
      : '[]';
    const salary = r.chance(0.5)
      ? `{"min": ${r.int(3, 9) * 10_000}, "max": ${r.int(10, 20) * 10_000}, "currency": "${country.currency}", "period": "year"}`
      : NULL;
    const modes = WORK_MODES.filter(() => r.chance(0.45));
    const openToWork = r.chance(0.35);
    out.job_seeker_profiles.push(
      [
        id,
        openToWork ? 't' : 'f',
        r.chance(0.6) ? arrayLiteral([title]) : '{}',
        hasCountry && r.chance(0.5) ? arrayLiteral([r.pick(country.cities)]) : '{}',
        arrayLiteral(modes.length > 0 ? modes : ['hybrid']),
        arrayLiteral([r.chance(0.85) ? EMPLOYMENT_TYPES[0] : r.pick(EMPLOYMENT_TYPES)]),
        salary,
        String(years),
        String(r.pick(NOTICE_PERIODS)),
        experience,
        education,
        r.chance(0.5) && hasCountry ? `[{"country": "${country.code}", "status": "citizen"}]` : '[]',
        created,
      ].join('\t') + '\n',
    );

    // 0-10 skills, about 4 on average, most popular first by chance.
    const wanted = r.chance(0.1) ? 0 : r.int(1, 8);
    const chosen = new Set<string>();
    for (let attempts = 0; chosen.size < wanted && attempts < wanted * 4; attempts++) chosen.add(this.skills.pick(r));
    let position = 0;
    for (const skill of chosen) {
      out.user_skills.push(`${id}\t${position++}\t${skill}\t${r.pick(SKILL_LEVELS)}\t${r.int(1, Math.max(1, Math.min(years, 15)))}\n`);
    }
    out.user_roles.push(`${id}\tjob_seeker\t${created}\n`);

    const hash = seededEventHash(id, created);
    out.audit_events.push(
      `${this.ids.next(createdMs)}\t${id}\t${created}\tsystem\t${SEED_ACTOR}\t${SEED_ACTOR}\t${SEED_ACTION}\t1\t${NULL}\t[]\t1\t${GENESIS_PREV_HASH}\t${hash}\n`,
    );
    const completeness =
      10 *
      (2 + (hasBirth ? 1 : 0) + (headline !== null ? 1 : 0) + (bio !== null ? 1 : 0) + (hasCountry ? 1 : 0) + (hasLinkedin ? 1 : 0) +
        (chosen.size > 0 ? 1 : 0) + (hasExperience ? 1 : 0) + (hasEducation ? 1 : 0));
    const searchText = [given, family, displayName, email, headline]
      .filter((part) => part !== null)
      .join(' ')
      .toLowerCase();
    const tokens = nameTokens([given, family, displayName, headline]);
    const skillKeys = [...chosen].map((skill) => skill.toLowerCase()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const token of tokens) this.words.add(token);
    out.user_search.push(
      `${id}\t${created}\tactive\t${email}\t${searchText}\t${arrayLiteral(tokens)}\t${arrayLiteral(skillKeys)}\t${hasCountry ? country.code : NULL}\t${openToWork ? 't' : 'f'}\t${completeness}\n`,
    );
    return id;
  }
}

/**
 * One batch of a seeding run, described so that any thread can make it:
 * batch `index` always holds users firstSerial + 1 … firstSerial + size,
 * from a PRNG seeded by (seed, index). The same run spec gives the same
 * profiles however many threads generate them (ids and timestamps excepted).
 */
export interface BatchSpec {
  issuer: string;
  nowMs: number;
  spanDays: number;
  seed: number;
  index: number;
  size: number;
  firstSerial: number;
  /** Users in the whole run: batch after batch, users come in sign-up order. */
  total: number;
}

export function batchGenerator(spec: BatchSpec): UserGenerator {
  return new UserGenerator({
    issuer: spec.issuer,
    now: new Date(spec.nowMs),
    spanDays: spec.spanDays,
    // A distinct, well-mixed PRNG seed per batch (golden-ratio increment).
    seed: (spec.seed ^ Math.imul(spec.index + 1, 0x9e3779b1)) >>> 0,
    firstSerial: spec.firstSerial,
    total: spec.total,
  });
}

/** Users per call of UserGenerator.batch: large batches are made in slices (fewer long-lived strings, less GC). */
export const GENERATION_SLICE = 500;

/** Concatenates slices of one batch, table by table. */
export function joinSlices(slices: readonly GeneratedBatch[]): GeneratedBatch {
  const data = {} as GeneratedBatch['data'];
  for (const table of SEED_TABLES) data[table] = slices.map((slice) => slice.data[table]).join('');
  return { userIds: slices.flatMap((slice) => slice.userIds), data, words: [...new Set(slices.flatMap((slice) => slice.words))] };
}

/** A whole batch, synchronously (in a generator thread). */
export function generateBatch(spec: BatchSpec): GeneratedBatch {
  const generator = batchGenerator(spec);
  const slices: GeneratedBatch[] = [];
  for (let done = 0; done < spec.size; done += GENERATION_SLICE) slices.push(generator.batch(Math.min(GENERATION_SLICE, spec.size - done)));
  return joinSlices(slices);
}

// ASCII whitespace and punctuation: what [[:space:][:punct:]] splits on in the view (the vocabulary here has no other separators).
const TOKEN_SEPARATORS = /[\s!-\/:-@[-`{-~]+/;

/** user_search_source's name_tokens: distinct lower-case words of 2+ characters, in code-point order. */
export function nameTokens(parts: readonly (string | null)[]): string[] {
  const words = new Set<string>();
  for (const part of parts) {
    if (part === null) continue;
    for (const word of part.toLowerCase().split(TOKEN_SEPARATORS)) if (word.length >= 2) words.add(word);
  }
  return [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every word the generator can put into search_text: the loader checks the database lower-cases them as JavaScript does. */
export function searchVocabulary(): string {
  const words = [
    ...Object.values(REGIONS).flatMap((region) => [...region.given, ...region.family]),
    ...TITLES,
    ...SENIORITY,
    ...COMPANIES,
  ];
  return words.join(' ');
}

function experienceJson(r: Random, role: string, count: number): string {
  const items: string[] = [];
  for (let k = 0; k < count; k++) {
    const start = `${2024 - k * 3 - r.int(0, 2)}-0${r.int(1, 9)}`;
    const end = k === 0 ? 'null' : `"${2024 - k * 3 + 1}-0${r.int(1, 9)}"`;
    items.push(`{"title": "${k === 0 ? role : r.pick(TITLES)}", "company": "${r.pick(COMPANIES)}", "startDate": "${start}", "endDate": ${end}, "description": null}`);
  }
  return `[${items.join(', ')}]`;
}

/**
 * eventHash() of the one event a seeded user has, with the canonical JSON
 * (RFC 8785: members sorted, no whitespace) written out for this fixed
 * shape: the generic canonicaliser costs more than everything else per user.
 * A test checks it against eventHash().
 */
export function seededEventHash(userId: string, occurredAtIso: string): string {
  const canonical =
    `{"action":"${SEED_ACTION}","actor":{"id":"${SEED_ACTOR}","type":"system"},"changes":[],"format":1,` +
    `"occurredAt":"${occurredAtIso}","prevHash":"${GENESIS_PREV_HASH}","requestId":null,"seq":1,"source":"${SEED_ACTOR}",` +
    `"userId":"${userId}","version":1}`;
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** `{"a","b"}`: a PostgreSQL array literal of text (then COPY-escaped). */
function arrayLiteral(items: readonly string[]): string {
  return copyText(`{${items.map((item) => `"${item.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
}

const COPY_SPECIAL = /[\\\n\r\t]/;

/** COPY text format: backslash, newline, carriage return and tab escaped. */
export function copyText(value: string): string {
  if (!COPY_SPECIAL.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/[^A-Za-z.-]/g, '')
    .toLowerCase();
}
