import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/index.js';
import { createTemplate, withDatabase } from './template.js';

let server: EmbeddedServer | undefined;
let dir: string | undefined;

/** The integration project's own PostgreSQL: the embedded server, in a temp dir. */
export async function setup(project: TestProject): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'profile-service-test-'));
  server = await startEmbeddedPostgres(dir);
  const adminUrl = withDatabase(server.url, 'postgres');
  const template = 'profile_template';
  await createTemplate(adminUrl, template);
  project.provide('database', { adminUrl, template, label: 'embedded' });
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
