import { availableParallelism } from 'node:os';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { inlineBatches, workerBatches } from './batches.js';
import { COPY_COLUMNS, SEED_TABLES, searchVocabulary, type BatchSpec, type GeneratedBatch, type SeedTable } from './generate.js';

/** Identities of seeded users use this issuer unless told otherwise: no real token can ever match them. */
export const SEED_ISSUER = 'urn:profile-service:seed';

export interface SeedOptions {
  users: number;
  /** Users per COPY transaction. */
  batchSize?: number;
  /** Batches loading at once (one connection each). */
  concurrency?: number;
  issuer?: string;
  now?: Date;
  /** Sign-ups spread over this many days before `now`. */
  spanDays?: number;
  /** PRNG seed: the same seed and batch size give the same profiles (ids and timestamps excepted). */
  seed?: number;
  /**
   * Generator threads; 0 generates on the calling thread. Default: one per
   * core beyond the first, at most 4.
   */
  workers?: number;
  onProgress?: (loaded: number) => void;
  /**
   * For a dedicated database (benchmarks): drop the secondary indexes of
   * the seeded tables first and rebuild them from their own definitions
   * afterwards (also after a failure). Much faster for large loads; other
   * sessions' queries are slow meanwhile. Never on a database in use.
   */
  rebuildIndexes?: boolean;
}

export interface SeedResult {
  users: number;
  ms: number;
  usersPerSecond: number;
  /** Whether foreign-key triggers were skipped (session_replication_role = replica: needs a superuser or that SET privilege). */
  foreignKeyChecksSkipped: boolean;
  /** Loading alone (without rebuilding indexes), when indexes were rebuilt. */
  loadMs: number;
  /** Indexes dropped and rebuilt (rebuildIndexes). */
  indexesRebuilt: number;
  /** Generator threads used (0: the calling thread). */
  workers: number;
}

export function defaultSeedWorkers(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
}

/**
 * Loads synthetic users with COPY, `batchSize` per transaction, a few
 * transactions at a time while the next batches are generated (on worker
 * threads, or between the loads' I/O on this thread when `workers` is 0). Each batch is
 * complete and consistent on commit (a failure rolls back that batch only).
 * The search read model is filled once per batch from its view, with its
 * triggers switched off for the transaction; when the role may, the
 * foreign-key checks are too (the generator writes consistent rows).
 */
export async function seedUsers(connectionString: string, options: SeedOptions): Promise<SeedResult> {
  const batchSize = options.batchSize ?? 10_000;
  const concurrency = options.concurrency ?? 2;
  const workers = options.workers ?? defaultSeedWorkers();
  const run = {
    issuer: options.issuer ?? SEED_ISSUER,
    nowMs: (options.now ?? new Date()).getTime(),
    spanDays: options.spanDays ?? 730,
    seed: options.seed ?? Date.now() % 2 ** 31,
  };
  const specs: BatchSpec[] = [];
  for (let index = 0; index * batchSize < options.users; index++) {
    specs.push({ ...run, index, firstSerial: index * batchSize, size: Math.min(batchSize, options.users - index * batchSize), total: options.users });
  }
  const pool = new pg.Pool({ connectionString, max: concurrency, application_name: 'profile-service-seed', statement_timeout: 0 });
  pool.on('error', () => {});
  const started = performance.now();
  try {
    const skipForeignKeys = await canSkipForeignKeys(pool);
    const searchRowsFromGenerator = await lowersLikeJavaScript(pool);
    const indexes = options.rebuildIndexes ? await dropSecondaryIndexes(pool) : [];
    let loaded = 0;
    let loadMs = 0;
    const source = workers > 0 ? workerBatches(workers) : inlineBatches();
    try {
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      // Threads make the next batches while these load; inline, one at a time.
      const ahead: Promise<GeneratedBatch>[] = [];
      let requested = 0;
      const requestNext = () => {
        const spec = specs[requested++];
        if (spec === undefined) return;
        const batch = source.generate(spec);
        // Observed now: after a failure, batches made ahead are never awaited.
        batch.catch(() => {});
        ahead.push(batch);
      };
      for (let i = 0; i < Math.max(1, workers); i++) requestNext();
      for (let next = ahead.shift(); next !== undefined && failure === null; next = ahead.shift()) {
        let batch: GeneratedBatch;
        try {
          batch = await next;
        } catch (error) {
          failure ??= error; // the loads in flight still finish (or fail) before the run ends
          break;
        }
        requestNext();
        const size = batch.userIds.length;
        const load: Promise<void> = loadBatch(pool, batch, { skipForeignKeys, searchRowsFromGenerator }).then(
          () => {
            loaded += size;
            options.onProgress?.(loaded);
          },
          (error: unknown) => {
            failure ??= error;
          },
        );
        const tracked: Promise<void> = load.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        if (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      loadMs = performance.now() - started;
      if (failure !== null) throw failure;
    } finally {
      await source.close();
      await recreateIndexes(pool, indexes);
    }
    const ms = performance.now() - started;
    return {
      users: loaded,
      ms,
      usersPerSecond: loaded / (ms / 1000),
      foreignKeyChecksSkipped: skipForeignKeys,
      loadMs,
      indexesRebuilt: indexes.length,
      workers,
    };
  } finally {
    await pool.end();
  }
}

interface IndexDefinition {
  name: string;
  definition: string;
}

/** Indexes of the seeded tables that back no constraint (primary and unique keys stay). */
async function dropSecondaryIndexes(pool: pg.Pool): Promise<IndexDefinition[]> {
  const { rows } = await pool.query<IndexDefinition>(
    `select i.indexname as name, i.indexdef as definition
     from pg_indexes i
     where i.schemaname = current_schema() and i.tablename = any($1::text[])
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = current_schema()::regnamespace)
     order by i.tablename, i.indexname`,
    [SEED_TABLES],
  );
  for (const index of rows) await pool.query(`drop index ${pg.escapeIdentifier(index.name)}`);
  return rows;
}

/** Two builds at a time (each btree build may also use parallel workers). */
async function recreateIndexes(pool: pg.Pool, indexes: IndexDefinition[]): Promise<void> {
  const queue = [...indexes];
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const client = await pool.connect();
      try {
        await client.query('set maintenance_work_mem = \'512MB\'');
        await client.query(index.definition);
      } finally {
        client.release();
      }
    }
  };
  await Promise.all([worker(), worker()]);
}

/** The generator lower-cases search text in JavaScript; that is only right if the database's lower() agrees. */
async function lowersLikeJavaScript(pool: pg.Pool): Promise<boolean> {
  const vocabulary = searchVocabulary();
  const { rows } = await pool.query<{ same: boolean }>('select lower($1) = $2 as same', [vocabulary, vocabulary.toLowerCase()]);
  return rows[0]?.same === true;
}

async function canSkipForeignKeys(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('set session_replication_role = replica');
    await client.query('reset session_replication_role');
    return true;
  } catch {
    return false;
  } finally {
    client.release();
  }
}

async function loadBatch(
  pool: pg.Pool,
  batch: GeneratedBatch,
  options: { skipForeignKeys: boolean; searchRowsFromGenerator: boolean },
): Promise<void> {
  await inBatchTransaction(pool, async (client) => {
    await client.query("set local profile_service.search_sync = 'off'");
    if (options.skipForeignKeys) await client.query('set local session_replication_role = replica');
    for (const table of SEED_TABLES) {
      if (table === 'user_search' && !options.searchRowsFromGenerator) continue;
      await copyRows(client, table, batch.data[table]);
    }
    if (!options.searchRowsFromGenerator) {
      await client.query(
        `insert into user_search (user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness)
         select user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness
         from user_search_source where user_id = any($1::uuid[])`,
        [batch.userIds],
      );
    }
    // The typo dictionary, in one order so that concurrent batches never deadlock on it.
    await client.query(
      options.searchRowsFromGenerator
        ? `insert into search_words (word) select w from unnest($1::text[]) w order by w collate "C" on conflict do nothing`
        : `insert into search_words (word)
           select w from (select distinct unnest(name_tokens) as w from user_search where user_id = any($1::uuid[])) d
           order by w collate "C" on conflict do nothing`,
      [options.searchRowsFromGenerator ? batch.words : batch.userIds],
    );
  });
}

/**
 * One batch's transaction on a connection of the pool: committed whole or
 * rolled back. A lost batch after a crash is harmless for synthetic data;
 * waiting for each flush is not (synchronous_commit off).
 */
export async function inBatchTransaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('set local synchronous_commit = off');
    await work(client);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** COPY one table's rows of a batch (text format, the columns COPY_COLUMNS lists). */
export async function copyRows(client: pg.ClientBase, table: SeedTable, data: string): Promise<void> {
  const stream = client.query(copyFrom(`copy ${table} (${COPY_COLUMNS[table].join(', ')}) from stdin`));
  stream.end(data);
  await finished(stream);
}
