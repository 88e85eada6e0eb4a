/**
 * Configuration-like Odoo values (currencies, tags, products) looked up once per container. Concurrent
 * lookups of one key share a single call: a batch's records run in parallel, and a plain value cache lets
 * every one of them miss at once (the month-end bench saw half the events of a cold batch each read the
 * currency). A failed lookup is forgotten, so the next caller tries again.
 */
export class SingleFlightCache<Key, Value> {
  private readonly entries = new Map<Key, Promise<Value>>();

  /** The lookup of this key, done or under way; undefined when none was started. */
  peek(key: Key): Promise<Value> | undefined {
    return this.entries.get(key);
  }

  get(key: Key, load: () => Promise<Value>): Promise<Value> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    const loading = load();
    this.set(key, loading);
    return loading;
  }

  /** Stores a lookup already under way (one call resolving several keys). */
  set(key: Key, loading: Promise<Value>): void {
    this.entries.set(key, loading);
    loading.catch(() => this.forget(key, loading));
  }

  /** Drops the key (a value that must not be kept, e.g. "not found"), unless another lookup replaced it. */
  forget(key: Key, loading?: Promise<Value>): void {
    if (loading === undefined || this.entries.get(key) === loading) this.entries.delete(key);
  }
}
