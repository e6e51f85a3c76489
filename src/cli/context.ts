import { loadConfig, type Config, type LoadConfigOptions } from '../config/index.js';
import { openDatabases, type Databases } from '../db/index.js';

/** Loads the configuration from the environment: the only place the CLI reads process.env. */
export function cliConfig(options: LoadConfigOptions = {}): Config {
  return loadConfig(process.env, options);
}

/** Opens the databases (starting the embedded server if needed), runs `fn`, and always closes them. */
export async function usingDb<T>(config: Config, fn: (databases: Databases) => Promise<T>): Promise<T> {
  const databases = await openDatabases(config);
  try {
    return await fn(databases);
  } finally {
    await databases.close();
  }
}

/** A command's failure that should print only its message (no stack) and exit non-zero. */
export class CliUsageError extends Error {}
