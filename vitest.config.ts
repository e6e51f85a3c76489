import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

/** True when a PostgreSQL server answers on 127.0.0.1:5432 (CI and this machine have one). */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

export default defineConfig(async () => {
  const external = process.env.TEST_SKIP_PG5432 !== 'true' && (await reachable('127.0.0.1', 5432));
  const dbTests = 'test/integration/**/*.db.test.ts';
  return {
    test: {
      projects: [
        { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
        // The CDK app: synthesized in memory, no AWS account or network (test/infra/synth.ts).
        { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
        {
          test: {
            name: 'integration',
            include: ['test/integration/**/*.test.ts'],
            globalSetup: ['test/helpers/setup-embedded.ts'],
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
        ...(external
          ? [
              {
                test: {
                  name: 'integration-pg5432',
                  include: [dbTests],
                  globalSetup: ['test/helpers/setup-external.ts'],
                  testTimeout: 30_000,
                  hookTimeout: 60_000,
                },
              },
            ]
          : []),
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
