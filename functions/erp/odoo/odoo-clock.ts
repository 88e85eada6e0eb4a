/**
 * Time and chance, injected so that retries, the breaker and the rate limit are testable without
 * waiting (tests pass a fake clock whose `sleep` advances `now`).
 */
export interface OdooClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: OdooClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};
