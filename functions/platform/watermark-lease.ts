import type { Watermark, WatermarkStore } from '../domain/watermark';

/**
 * Runs `work` holding the entity's write lease (one writer per entity across all consumers). `work`
 * returns the watermark to commit (a snapshot event that was applied), or none: the lease is given back
 * unchanged.
 */
export async function underWatermarkLease<T>(
  watermarks: WatermarkStore,
  entityKey: string,
  owner: string,
  work: (current: Watermark | undefined) => Promise<{ result: T; commit?: Watermark }>,
): Promise<T> {
  const { watermark } = await watermarks.acquire(entityKey, owner);
  let committed = false;
  try {
    const { result, commit } = await work(watermark);
    if (commit !== undefined) {
      await watermarks.commit(entityKey, owner, commit);
      committed = true;
    }
    return result;
  } finally {
    // A failed release is harmless (the lease expires) and must not hide the error that got us here.
    if (!committed) await watermarks.release(entityKey, owner).catch(() => undefined);
  }
}
