import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only JSON Lines file. The emulators (SQS queues, the EventBridge archive) keep their state
 * here so that what AWS would have accepted durably survives a crash of `npm start`.
 *
 * Why fsync per record instead of a write stream: a stream buffers in user space, and a `kill -9`
 * between the API answer and the flush would lose a message the caller was told was accepted.
 */
export class DurableJournal<TRecord> {
  private fileDescriptor: number;

  constructor(private readonly filePath: string) {
    mkdirSync(dirname(filePath), { recursive: true });
    this.fileDescriptor = openSync(filePath, 'a');
  }

  /** Appends one record; with `sync` it is on disk when this returns. */
  append(record: TRecord, options: { sync: boolean }): void {
    writeSync(this.fileDescriptor, `${JSON.stringify(record)}\n`);
    if (options.sync) fsyncSync(this.fileDescriptor);
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

  close(): void {
    closeSync(this.fileDescriptor);
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
