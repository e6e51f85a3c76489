#!/usr/bin/env node
import { ConfigError, ProfileServiceError } from '../errors.js';
import { auditCommand } from './audit.js';
import { CliUsageError } from './context.js';
import { devCommand } from './dev.js';
import { devUserCommand } from './dev-user.js';
import { mediaCommand } from './media.js';
import { migrateCommand } from './migrate.js';
import { reconcileCommand } from './reconcile.js';
import { rolesCommand } from './roles.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<void>; help: string }> = {
  serve: { run: serveCommand, help: 'the API alone, configured by the environment (production)' },
  dev: { run: devCommand, help: 'the local stack: PostgreSQL, cognito-local, the trigger and the API (npm start)' },
  'dev:user': { run: devUserCommand, help: '<email>  local stack only: sign up, confirm and log in a user; print tokens' },
  migrate: { run: migrateCommand, help: 'apply pending database migrations' },
  audit: { run: auditCommand, help: 'verify [--user ID] [--json]  check the audit hash chains; non-zero exit on a broken link' },
  media: { run: mediaCommand, help: 'cleanup [--apply] [--json]  expired uploads and unreferenced objects; dry run unless --apply' },
  reconcile: { run: reconcileCommand, help: '[--dry-run] [--fix] [--rate N] [--max-erasures N] [--force] [--json]  compare the user pool with the database' },
  roles: { run: rolesCommand, help: 'grant (--email E | --user ID) --role R  |  list' },
  seed: { run: seedCommand, help: '--users N [--batch B] [--rebuild-indexes]  synthetic profiles for demos and benchmarks (COPY)' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.help}`);
  return ['usage: profile-service <command> [options]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  await command.run(args);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands (serve, dev) keep the event loop alive; the others end here.
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof CliUsageError) {
      console.error(error.message);
    } else if (error instanceof ProfileServiceError) {
      console.error(`${error.code}: ${error.message}${error.cause ? `\n  caused by: ${String(error.cause)}` : ''}`);
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
