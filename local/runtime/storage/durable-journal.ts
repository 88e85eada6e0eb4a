import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only JSON Lines file. The emulators (SQS queues, the EventBridge archive) keep their state
 * here so that what AWS would have accepted durably survives a crash of `npm start`.
 *
 * Why `writeSync` per record instead of a write stream: a stream buffers in user space, and a `kill -9`
 * between the API answer and the flush would lose a message the caller was told was accepted. Once
 * `writeSync` returns, the record is in the kernel and survives the death of the process; the fsync then
 * makes it survive the machine.
 *
 * Two ways to wait for the fsync:
 * - `append(record, { sync: true })` fsyncs before it returns, blocking the event loop for the disk's
 *   flush time (0.2 ms idle, several ms when the disk is busy): for rare records (purge, DLQ moves).
 * - `appendDurably(record, onDurable)` is the group commit of the hot paths (SendMessage, PutEvents): the
 *   record is written at once, `onDurable` is called once an fsync that started after the write has
 *   completed. The fsync runs off the event loop (libuv's thread pool), and records appended while one is
 *   in flight share the next: under load one fsync covers many records; alone, a record waits for exactly
 *   one. Callbacks run in append order, so callers observe records becoming durable in the order written.
 */
export class DurableJournal<TRecord> {
  private fileDescriptor: number;
  /** Written since the in-flight fsync started (or with none in flight): they wait for the next one. */
  private awaitingSync: Array<(error?: Error) => void> = [];
  /** Covered by the fsync in flight; emptied in place when a synchronous fsync covers them first. */
  private syncing: Array<(error?: Error) => void> | undefined;

  constructor(private readonly filePath: string) {
    mkdirSync(dirname(filePath), { recursive: true });
    this.fileDescriptor = openSync(filePath, 'a');
  }

  /** Appends one record; with `sync` it is on disk when this returns (and so is every record before it). */
  append(record: TRecord, options: { sync: boolean }): void {
    writeSync(this.fileDescriptor, `${JSON.stringify(record)}\n`);
    if (options.sync) this.syncNow();
  }

  /**
   * Appends one record and calls `onDurable` once it is on disk (with the error if the fsync failed).
   * The record is in the file, readable and safe from a `kill -9`, when this returns.
   */
  appendDurably(record: TRecord, onDurable: (error?: Error) => void): void {
    writeSync(this.fileDescriptor, `${JSON.stringify(record)}\n`);
    this.awaitingSync.push(onDurable);
    this.startGroupSync();
  }

  /** Records appended with `appendDurably` whose fsync has not completed yet. */
  get pendingCount(): number {
    return this.awaitingSync.length + (this.syncing?.length ?? 0);
  }

  /**
   * Every complete record in the file, oldest first. A torn last line (the process died mid-write,
   * before the fsync that would have acknowledged it) is skipped: nobody was told it was accepted.
   */
  readAll(): TRecord[] {
    return readJournalFile<TRecord>(this.filePath);
  }

  /**
   * Replaces the whole file with `records`, atomically (write a sibling, fsync, rename), so a crash
   * mid-compaction leaves either the old journal or the new one, never half of each.
   */
  rewrite(records: readonly TRecord[]): void {
    if (this.pendingCount > 0) this.syncNow();
    const temporaryPath = `${this.filePath}.compacting`;
    const temporaryDescriptor = openSync(temporaryPath, 'w');
    const content = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    writeSync(temporaryDescriptor, content);
    fsyncSync(temporaryDescriptor);
    closeSync(temporaryDescriptor);
    closeSync(this.fileDescriptor);
    renameSync(temporaryPath, this.filePath);
    this.fileDescriptor = openSync(this.filePath, 'a');
  }

  /** Flushes what is still waiting for its fsync (its callbacks run now), then closes the file. */
  close(): void {
    if (this.pendingCount > 0) this.syncNow();
    closeSync(this.fileDescriptor);
  }

  private startGroupSync(): void {
    if (this.syncing !== undefined || this.awaitingSync.length === 0) return;
    const group = this.awaitingSync;
    this.awaitingSync = [];
    this.syncing = group;
    fsync(this.fileDescriptor, (error) => {
      if (this.syncing === group) this.syncing = undefined;
      // Emptied already if a synchronous fsync (or close) covered this group in the meantime.
      for (const onDurable of group.splice(0)) onDurable(error ?? undefined);
      this.startGroupSync();
    });
  }

  /** A synchronous fsync covers every record written so far: their callbacks run now, in order. */
  private syncNow(): void {
    let failure: Error | undefined;
    try {
      fsyncSync(this.fileDescriptor);
    } catch (error) {
      failure = error as Error;
    }
    const covered = [...(this.syncing?.splice(0) ?? []), ...this.awaitingSync.splice(0)];
    for (const onDurable of covered) onDurable(failure);
    if (failure) throw failure;
  }
}

export function readJournalFile<TRecord>(filePath: string): TRecord[] {
  if (!existsSync(filePath)) return [];
  const records: TRecord[] = [];
  for (const line of readFileSync(filePath, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as TRecord);
    } catch {
      // A torn write from a crash: only ever the last line, and never acknowledged.
    }
  }
  return records;
}
