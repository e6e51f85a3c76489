import type { TestProject } from 'vitest/node';
import { adminQuery, createTemplate } from './template.js';

const adminUrl = process.env.TEST_PG5432_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const template = `profile_template_${process.pid}`;

/** The same integration tests against the PostgreSQL already running on 5432. */
export async function setup(project: TestProject): Promise<void> {
  await createTemplate(adminUrl, template);
  project.provide('database', { adminUrl, template, label: 'pg5432' });
}

export async function teardown(): Promise<void> {
  await adminQuery(adminUrl, `drop database if exists ${template}`);
}
