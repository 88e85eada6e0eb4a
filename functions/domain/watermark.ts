/**
 * Per-entity watermarks: the newest change applied to an entity. A change at or below the
 * watermark is stale (an out-of-order or repeated delivery) and is skipped, so the final state
 * depends only on the set of events, not on their order.
 *
 * A watermark is the provider's event time, tie-broken by the provider event id, both fixed-width
 * or compared as strings in that order: `2026-11-23T10:00:00.000Z|evt_123`.
 */
export type Watermark = string;

export function watermarkOf(change: { time: string; causationId: string }): Watermark {
  return `${new Date(change.time).toISOString()}|${change.causationId}`;
}

export function isNewer(candidate: Watermark, current: Watermark | undefined): boolean {
  return current === undefined || candidate > current;
}

/** The store of watermarks, with a short write lease so two writers of one entity never overlap. */
export interface WatermarkStore {
  /**
   * Takes the entity's write lease and returns its current watermark; throws a retryable
   * `EntityBusyError` when another writer holds an unexpired lease.
   */
  acquire(entityKey: string, owner: string): Promise<{ watermark: Watermark | undefined }>;
  /** Sets the watermark and gives the lease back. */
  commit(entityKey: string, owner: string, watermark: Watermark): Promise<void>;
  /** Gives the lease back without changing the watermark. */
  release(entityKey: string, owner: string): Promise<void>;
}
