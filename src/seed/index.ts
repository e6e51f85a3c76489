export { seedUsers, SEED_ISSUER, type SeedOptions, type SeedResult } from './load.js';
export { UserGenerator, SEED_ACTOR, SEED_ACTION, COPY_COLUMNS, copyText, type GeneratedBatch } from './generate.js';
