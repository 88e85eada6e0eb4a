/**
 * A clock for code that retries, which never waits: `sleep` records each delay and moves `now` by it,
 * `advance` stands for time spent working, and `random` is a fixed draw so that jittered delays are exact.
 */
export function fakeRetryClock(options: { random?: number; start?: number } = {}) {
  let now = options.start ?? 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => options.random ?? 0.5,
    },
  };
}
