import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDb, type Db } from '../../src/db/index.js';
import { adminQuery, withDatabase } from './template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    database: { adminUrl: string; template: string; label: string };
  }
}

export interface TestDatabase {
  db: Db;
  url: string;
  label: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database cloned from the template: one per test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template, label } = inject('database');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  const url = withDatabase(adminUrl, name);
  const db = createDb(url, { max: 25 });
  return {
    db,
    url,
    label,
    async drop() {
      await db.destroy();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
