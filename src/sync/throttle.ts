/**
 * Keeps calls to an API under a rate (Cognito's UserList quota is 30
 * requests/s per account and region, not adjustable) and backs off when the
 * API says it is throttling anyway (other callers share the quota).
 */
export interface ThrottleOptions {
  /** Calls per second, at most. */
  rate: number;
  /** Retries of a throttled call before giving up. */
  maxRetries?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException']);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.has(error.name);
}

export class Throttle {
  private next = 0;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxRetries: number;
  /** How many times a call was throttled by the API (for the report). */
  throttled = 0;

  constructor(options: ThrottleOptions) {
    if (!(options.rate > 0)) throw new RangeError('rate must be positive');
    this.interval = 1000 / options.rate;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.maxRetries = options.maxRetries ?? 8;
  }

  /** Runs `fn` no sooner than the rate allows; retries throttled calls with exponential backoff and jitter. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.wait();
      try {
        return await fn();
      } catch (error) {
        if (!isThrottling(error) || attempt >= this.maxRetries) throw error;
        this.throttled++;
        const backoff = Math.min(30_000, 250 * 2 ** attempt);
        await this.sleep(backoff / 2 + this.random() * (backoff / 2));
      }
    }
  }

  private async wait(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    if (at > now) await this.sleep(at - now);
  }
}
