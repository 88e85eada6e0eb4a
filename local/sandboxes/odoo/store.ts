import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SerializationFailure } from './odoo-errors';
import type { OdooVersion } from './server-version';

/** One row of a table: the stored fields (many2one as an id or `false`, many2many as an id list). */
export interface StoredRecord {
  id: number;
  [field: string]: unknown;
}

/** Everything the sandbox database holds; JSON-serializable as is. */
export interface DatabaseState {
  formatVersion: 1;
  odooVersion: OdooVersion;
  /** The next id each model's table will hand out (Postgres sequences). */
  nextIds: Record<string, number>;
  /** The last number used by each document sequence (`INV`, `S`, ...): `ir.sequence`. */
  sequenceNumbers: Record<string, number>;
  tables: Record<string, Record<string, StoredRecord>>;
}

/**
 * The sandbox database: in memory, saved as one JSON file per database in `dataDir` after every call
 * that changed it, so that `npm start` keeps its Odoo data across restarts like a real server would.
 *
 * Every RPC call runs in `transaction()`: a call that fails leaves no trace, as Odoo rolls back the
 * cursor of a failed request.
 */
export class OdooStore {
  private state: DatabaseState;
  private dirty = false;
  /**
   * Rows another transaction keeps updating (`model:id` → how many such transactions): an update or delete of
   * one fails as PostgreSQL fails it. Not part of the state: it is what other sessions do, not data.
   */
  private readonly contendedRows = new Map<string, number>();

  constructor(
    private readonly filePath: string | undefined,
    private readonly seed: () => DatabaseState,
  ) {
    this.state = this.loadOrSeed();
  }

  static filePathFor(dataDir: string | undefined, database: string): string | undefined {
    return dataDir === undefined ? undefined : join(dataDir, `odoo-sandbox-${database}.json`);
  }

  get odooVersion(): OdooVersion {
    return this.state.odooVersion;
  }

  /** Runs `work`; keeps its changes (and saves them) if it returns, discards them if it throws. */
  transaction<T>(work: () => T): T {
    const before = structuredClone(this.state);
    try {
      const result = work();
      if (this.dirty) this.save();
      return result;
    } catch (error) {
      this.state = before;
      throw error;
    } finally {
      this.dirty = false;
    }
  }

  /** Runs `work` inside the current transaction; undoes only its changes if it throws (a SQL savepoint). */
  savepoint<T>(work: () => T): T {
    const before = structuredClone(this.state);
    try {
      return work();
    } catch (error) {
      this.state = before;
      throw error;
    }
  }

  /** Back to the seeded database, on disk too. */
  reset(): void {
    this.state = this.seed();
    this.save();
  }

  find(model: string, id: number): StoredRecord | undefined {
    return this.state.tables[model]?.[String(id)];
  }

  /** All rows of a model, by ascending id. */
  all(model: string): StoredRecord[] {
    return Object.values(this.state.tables[model] ?? {}).sort((left, right) => left.id - right.id);
  }

  insert(model: string, values: Omit<StoredRecord, 'id'>): StoredRecord {
    const id = this.state.nextIds[model] ?? 1;
    this.state.nextIds[model] = id + 1;
    const record: StoredRecord = { ...values, id };
    (this.state.tables[model] ??= {})[String(id)] = record;
    this.dirty = true;
    return record;
  }

  /** Puts `record` at its own id unless a row has that id already (a seeded row a database saved earlier lacks). */
  ensure(model: string, record: StoredRecord): void {
    if (this.find(model, record.id) !== undefined) return;
    (this.state.tables[model] ??= {})[String(record.id)] = record;
    this.state.nextIds[model] = Math.max(this.state.nextIds[model] ?? 1, record.id + 1);
    this.dirty = true;
  }

  /**
   * From now until the returned function is called, another transaction keeps updating row `id` of `model`:
   * every update or deletion of that row by a call fails with PostgreSQL's serialization failure (a real Odoo
   * retries and meets it on every attempt, so the caller sees it; the sandbox fails at once). Reading it works.
   */
  contend(model: string, id: number): () => void {
    const key = `${model}:${id}`;
    this.contendedRows.set(key, (this.contendedRows.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.contendedRows.get(key) ?? 1) - 1;
      if (left > 0) this.contendedRows.set(key, left);
      else this.contendedRows.delete(key);
    };
  }

  private assertNotContended(model: string, id: number): void {
    if (this.contendedRows.has(`${model}:${id}`)) throw new SerializationFailure();
  }

  update(model: string, id: number, values: Record<string, unknown>): void {
    const record = this.find(model, id);
    if (record === undefined) throw new Error(`${model}(${id}) is not stored`);
    this.assertNotContended(model, id);
    Object.assign(record, values, { id });
    this.dirty = true;
  }

  remove(model: string, id: number): void {
    this.assertNotContended(model, id);
    delete this.state.tables[model]?.[String(id)];
    this.dirty = true;
  }

  /** The next number of a document sequence (`ir.sequence.next_by_code`). */
  nextSequenceNumber(sequence: string): number {
    const next = (this.state.sequenceNumbers[sequence] ?? 0) + 1;
    this.state.sequenceNumbers[sequence] = next;
    this.dirty = true;
    return next;
  }

  private loadOrSeed(): DatabaseState {
    if (this.filePath !== undefined && existsSync(this.filePath)) {
      return JSON.parse(readFileSync(this.filePath, 'utf8')) as DatabaseState;
    }
    const seeded = this.seed();
    this.state = seeded;
    this.save();
    return seeded;
  }

  /** Write a sibling file, fsync, rename: a crash mid-save leaves the previous database intact. */
  private save(): void {
    if (this.filePath === undefined) return;
    mkdirSync(join(this.filePath, '..'), { recursive: true });
    const temporaryPath = `${this.filePath}.saving`;
    const descriptor = openSync(temporaryPath, 'w');
    writeSync(descriptor, JSON.stringify(this.state));
    fsyncSync(descriptor);
    closeSync(descriptor);
    renameSync(temporaryPath, this.filePath);
  }
}
