/**
 * Counts the round trips a use case makes to its stores: every call answers after a timer, and the calls in flight
 * together make one round trip — what a chain of awaits costs against DynamoDB, where each answer is a network away.
 */
export class RoundTrips {
  /** The calls of each round trip, in order (`[2, 1]`: two calls at once, then one). */
  readonly rounds: number[] = [];
  private inFlight = 0;

  /** `port` with every method measured (its answer, the real one, comes after the timer). */
  measured<T extends object>(port: T): T {
    return new Proxy(port, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.measure(() => (value as (...each: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  }

  async measure<T>(answer: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.rounds.push(0);
    this.rounds[this.rounds.length - 1]!++;
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.inFlight--;
    return answer();
  }
}
