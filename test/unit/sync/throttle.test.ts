import { describe, expect, it } from 'vitest';
import { Throttle } from '../../../src/sync/throttle.js';

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

function throttlingError(): Error {
  const error = new Error('Rate exceeded');
  error.name = 'TooManyRequestsException';
  return error;
}

describe('Throttle', () => {
  it('spaces calls to honour the rate', async () => {
    const clock = fakeClock();
    const throttle = new Throttle({ rate: 25, now: clock.now, sleep: clock.sleep });
    const startedAt: number[] = [];
    for (let i = 0; i < 50; i++) await throttle.run(async () => startedAt.push(clock.now()));
    // 50 calls at 25/s: the last starts 49 intervals (1.96 s) after the first.
    expect(startedAt.at(-1)! - startedAt[0]!).toBeCloseTo(1960, 5);
    for (let i = 1; i < startedAt.length; i++) expect(startedAt[i]! - startedAt[i - 1]!).toBeGreaterThanOrEqual(40 - 1e-9);
  });

  it('backs off exponentially on throttling errors and then succeeds', async () => {
    const clock = fakeClock();
    const throttle = new Throttle({ rate: 1000, now: clock.now, sleep: clock.sleep, random: () => 1 });
    let calls = 0;
    const result = await throttle.run(async () => {
      calls++;
      if (calls <= 3) throw throttlingError();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(throttle.throttled).toBe(3);
    expect(clock.sleeps.filter((ms) => ms >= 250)).toEqual([250, 500, 1000]);
  });

  it('gives up after maxRetries and rethrows; other errors are not retried', async () => {
    const clock = fakeClock();
    const throttle = new Throttle({ rate: 1000, now: clock.now, sleep: clock.sleep, maxRetries: 2 });
    await expect(throttle.run(async () => Promise.reject(throttlingError()))).rejects.toThrow('Rate exceeded');
    let calls = 0;
    await expect(
      throttle.run(async () => {
        calls++;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
