import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Counts (and can fail) the asynchronous fsyncs the journal asks for; everything else is the real `node:fs`. */
const fsyncControl = vi.hoisted(() => ({ calls: 0, failNext: undefined as Error | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const fsync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void => {
    fsyncControl.calls += 1;
    const failure = fsyncControl.failNext;
    fsyncControl.failNext = undefined;
    if (failure) {
      setImmediate(() => callback(failure as NodeJS.ErrnoException));
      return;
    }
    actual.fsync(fd, callback);
  };
  return { ...actual, default: { ...actual, fsync }, fsync };
});

const { DurableJournal } = await import('../../../local/runtime/storage/durable-journal');

let directory: string;
let filePath: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'durable-journal-'));
  filePath = join(directory, 'queue.jsonl');
  fsyncControl.calls = 0;
  fsyncControl.failNext = undefined;
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

const linesOf = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('DurableJournal.appendDurably (group commit)', () => {
  it('writes the record at once and calls back once it is fsynced, in append order', async () => {
    const journal = new DurableJournal<{ n: number }>(filePath);
    const durable: number[] = [];
    const allDurable = new Promise<void>((resolve) => {
      for (let n = 1; n <= 3; n += 1) {
        journal.appendDurably({ n }, (error) => {
          expect(error).toBeUndefined();
          durable.push(n);
          if (n === 3) resolve();
        });
      }
    });
    // In the file (safe from a kill -9) before any fsync completed; not yet reported durable.
    expect(linesOf(filePath)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(durable).toEqual([]);
    expect(journal.pendingCount).toBe(3);

    await allDurable;
    expect(durable).toEqual([1, 2, 3]);
    expect(journal.pendingCount).toBe(0);
    journal.close();
  });

  it('makes the records appended while an fsync is in flight share the next one', async () => {
    const journal = new DurableJournal<{ n: number }>(filePath);
    const durable: Promise<void>[] = [];
    for (let n = 0; n < 50; n += 1) durable.push(new Promise((resolve) => journal.appendDurably({ n }, () => resolve())));
    await Promise.all(durable);
    // The first record starts an fsync; the 49 written meanwhile wait for one more, not 49 more.
    expect(fsyncControl.calls).toBe(2);
    journal.close();
  });

  it('runs the callbacks of earlier records before a synchronous append returns: it covers them too', () => {
    const journal = new DurableJournal<{ n: number }>(filePath);
    const order: string[] = [];
    journal.appendDurably({ n: 1 }, () => order.push('first durable'));
    journal.appendDurably({ n: 2 }, () => order.push('second durable'));
    journal.append({ n: 3 }, { sync: true });
    order.push('sync append returned');
    expect(order).toEqual(['first durable', 'second durable', 'sync append returned']);
    expect(journal.pendingCount).toBe(0);
    journal.close();
  });

  it('flushes what still waits for its fsync when closed', () => {
    const journal = new DurableJournal<{ n: number }>(filePath);
    let durable = false;
    journal.appendDurably({ n: 1 }, () => {
      durable = true;
    });
    journal.close();
    expect(durable).toBe(true);
  });

  it('reports a failed fsync to the records it covered', async () => {
    const journal = new DurableJournal<{ n: number }>(filePath);
    fsyncControl.failNext = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    const outcome = await new Promise<Error | undefined>((resolve) => journal.appendDurably({ n: 1 }, resolve));
    expect(outcome?.message).toMatch(/EIO/);
    // The next record gets its own, successful fsync.
    expect(await new Promise<Error | undefined>((resolve) => journal.appendDurably({ n: 2 }, resolve))).toBeUndefined();
    journal.close();
  });
});
