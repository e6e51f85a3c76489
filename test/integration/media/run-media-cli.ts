// Runs `mediaCommand` the way src/cli/main.ts runs a command (exit 1 with the
// message on failure), until `media` is registered there.
import { mediaCommand } from '../../../src/cli/media.js';

mediaCommand(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
