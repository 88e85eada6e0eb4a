import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StripeObject } from './stripe-object-templates';

interface StoredObject {
  /** Connect account the object belongs to (`Stripe-Account` when seeded), null for the platform. */
  account: string | null;
  /** Order of seeding: the tie-break of equal `created` (newest seeded first, as Stripe lists newest first). */
  seq: number;
  object: StripeObject;
}

interface StoreFile {
  version: 1;
  sequence: number;
  objects: StoredObject[];
}

/**
 * The sandbox's objects, by account, `object` type and `id`. Saved as one JSON file after every change
 * when a data directory is given (written to a temporary file, then renamed: a crash leaves the old file).
 */
export class StripeObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private sequence = 0;

  constructor(private readonly filePath: string | undefined) {
    if (!filePath) return;
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch {
      return;
    }
    const saved = JSON.parse(text) as StoreFile;
    this.sequence = saved.sequence;
    for (const stored of saved.objects) this.objects.set(keyOf(stored.account, stored.object.object, stored.object.id), stored);
  }

  static filePathFor(dataDir: string | undefined): string | undefined {
    return dataDir ? join(dataDir, 'stripe-sandbox.json') : undefined;
  }

  /** Stores (or replaces, keeping its place in lists) each object. */
  put(objects: StripeObject[], account: string | null): void {
    for (const object of objects) {
      const key = keyOf(account, object.object, object.id);
      const existing = this.objects.get(key);
      this.objects.set(key, { account, seq: existing?.seq ?? ++this.sequence, object });
    }
    this.save();
  }

  get(account: string | null, type: string, id: string): StripeObject | undefined {
    return this.objects.get(keyOf(account, type, id))?.object;
  }

  /** Every object of `type` in the account, newest first (`created` descending, then latest seeded). */
  list(account: string | null, type: string): StripeObject[] {
    return [...this.objects.values()]
      .filter((stored) => stored.account === account && stored.object.object === type)
      .sort((a, b) => createdOf(b.object) - createdOf(a.object) || b.seq - a.seq)
      .map((stored) => stored.object);
  }

  count(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { object } of this.objects.values()) counts[object.object] = (counts[object.object] ?? 0) + 1;
    return counts;
  }

  clear(): void {
    this.objects.clear();
    this.sequence = 0;
    this.save();
  }

  private save(): void {
    if (!this.filePath) return;
    mkdirSync(dirname(this.filePath), { recursive: true });
    const file: StoreFile = { version: 1, sequence: this.sequence, objects: [...this.objects.values()] };
    const temporary = `${this.filePath}.tmp`;
    writeFileSync(temporary, JSON.stringify(file));
    renameSync(temporary, this.filePath);
  }
}

function keyOf(account: string | null, type: string, id: string): string {
  return `${account ?? ''}\u0000${type}\u0000${id}`;
}

function createdOf(object: StripeObject): number {
  return typeof object.created === 'number' ? object.created : 0;
}
