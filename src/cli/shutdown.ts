/**
 * Runs `fn` once on SIGINT or SIGTERM, then exits: 0 when it finished, 1 when
 * it failed. A second signal exits at once.
 */
export function onShutdown(fn: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.error(`\n${signal} received, stopping…`);
    fn().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
