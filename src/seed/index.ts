export { seedUsers, copyRows, inBatchTransaction, defaultSeedWorkers, SEED_ISSUER, type SeedOptions, type SeedResult } from './load.js';
export { UserGenerator, generateBatch, SEED_ACTOR, SEED_ACTION, COPY_COLUMNS, copyText, type BatchSpec, type GeneratedBatch } from './generate.js';
