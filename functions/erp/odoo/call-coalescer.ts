import type { OdooCaller } from './odoo-caller';
import type { OdooCallOptions } from './odoo-client';
import { OdooError, odooErrorFromLoadMessages, OdooPermanentError, OdooSerializationError } from './odoo-errors';
import type { OdooParams } from './odoo-transport';

/**
 * Batch-first Odoo writes. The records of a consumer batch are applied concurrently, each through its own use
 * case; the calls of the same kind they make within a short window become ONE Odoo call, and each caller gets
 * its own share of the answer:
 * - `load` of the same model, columns and context → one `load` of all the rows (ids in row order);
 * - `create` of `account.move`, `sale.order` or the payment wizard with the same context → one `create` of all the
 *   values (ids in order);
 * - `action_post` of moves, `action_confirm` of orders, with the same context → one call on all the ids;
 * - `read` of the same model, fields and context → one `read` of all the ids;
 * - `search_read` of the same model, fields, order and context whose domains are conjunctions differing only in the
 *   values of `=` conditions (an invoice by its `ref`, a payment by its memo and partner) → one `search_read` with
 *   `in` for each such condition, each caller getting exactly the records its own domain matches (its limit too).
 * Odoo applies a call in one transaction, so a merged write that Odoo refuses has changed nothing: the members
 * Odoo names (a refused `load` names its bad rows) are tried alone and the others together again; a refusal that
 * names none is split in halves (bisection) until the refused member is alone. Either way the refused member
 * alone gets Odoo's own error, and the others are applied once. A failure of Odoo or the network itself (timeout, unavailable, rate limited, open
 * breaker) is every member's failure: bisecting then would only add load to an Odoo that is already struggling.
 * Two members that write the same record (external id, record id) never share a call: the later one goes in a
 * later call, in arrival order. Every other call passes through unchanged.
 */

export interface CoalescingSettings {
  /** How long the first call of a kind waits for others to join it (ms). 0: only calls made in the same tick. */
  readonly windowMs: number;
  /** Most members one merged call carries; 1 turns merging off. */
  readonly maxBatchSize: number;
}

/** What one caller asked: its params, and what no other member of its call may also write. */
interface Member {
  readonly params: OdooParams;
  readonly entities: readonly string[];
}

/** How the calls of one kind merge and split. */
interface MergeRule {
  /** The params of one call carrying all the members. */
  combine(members: readonly Member[]): OdooParams;
  /** Each member's share of the merged answer, in member order. */
  split(result: unknown, members: readonly Member[]): unknown[];
  /** A failure Odoo answered instead of raising (`load` reports bad rows in `messages`). */
  failureOf?(result: unknown): OdooError | undefined;
  /** The members that failure names, when it names them (`load` gives each bad row's index). */
  blame?(result: unknown, members: readonly Member[]): Set<number>;
}

interface Kind {
  /** Calls with the same key merge. */
  readonly key: string;
  readonly rule: MergeRule;
  readonly member: Member;
}

const stable = (value: unknown): string => JSON.stringify(value ?? null);
const isIdList = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((id) => Number.isInteger(id));
const onlyKeys = (params: OdooParams, allowed: readonly string[]): boolean => Object.keys(params).every((key) => allowed.includes(key));

/**
 * Models whose `create` merges, with the action that merges too (if any): Odoo's `create` takes many records at
 * once, and posting moves (`action_post`) or confirming orders (`action_confirm`) acts on a whole recordset. The
 * payment wizard's `action_create_payments` runs one wizard at a time (`ensure_one`): only its `create` merges.
 */
const MERGED_WRITES: Readonly<Record<string, string | undefined>> = {
  'account.move': 'action_post',
  'sale.order': 'action_confirm',
  'account.payment.register': undefined,
};

interface LoadResult {
  ids: unknown;
  messages?: Array<{ type?: string; message?: string; field?: string; record?: number; rows?: { from?: number; to?: number } }>;
}

const LOAD_RULE: MergeRule = {
  combine: (members) => ({ ...members[0]!.params, data: members.flatMap((member) => member.params.data as unknown[][]) }),
  split: (result, members) => {
    const ids = (result as LoadResult).ids as unknown[];
    let offset = 0;
    return members.map((member) => {
      const rows = (member.params.data as unknown[]).length;
      const share = { ...(result as object), ids: ids.slice(offset, offset + rows), messages: [] };
      offset += rows;
      return share;
    });
  },
  failureOf: (result) => {
    const answer = result as LoadResult | undefined;
    const errors = (answer?.messages ?? []).filter((message) => message.type === 'error');
    if (errors.length === 0 && Array.isArray(answer?.ids)) return undefined;
    return odooErrorFromLoadMessages(errors, `merged load() returned ${stable(answer?.ids)}`, {});
  },
  // Odoo's load() tries a refused batch again row by row and reports each refused row (`rows`, `record`): the
  // members that own them are the ones to try alone, the rest can go together again.
  blame: (result, members) => {
    const owner: number[] = members.flatMap((member, index) => (member.params.data as unknown[]).map(() => index));
    const blamed = new Set<number>();
    for (const message of (result as LoadResult).messages ?? []) {
      if (message.type !== 'error') continue;
      const from = message.rows?.from ?? message.record;
      const to = message.rows?.to ?? from;
      if (!Number.isInteger(from) || !Number.isInteger(to)) continue;
      for (let row = from!; row <= to! && row < owner.length; row++) blamed.add(owner[row]!);
    }
    return blamed;
  },
};

const CREATE_RULE: MergeRule = {
  combine: (members) => ({ ...members[0]!.params, vals_list: members.flatMap((member) => member.params.vals_list as unknown[]) }),
  split: (result, members) => {
    if (!Array.isArray(result)) return members.map(() => result);
    let offset = 0;
    return members.map((member) => {
      const count = (member.params.vals_list as unknown[]).length;
      const share = result.slice(offset, offset + count);
      offset += count;
      return share;
    });
  },
};

const IDS_RULE = (shareOf: (result: unknown, ids: readonly number[]) => unknown): MergeRule => ({
  combine: (members) => ({ ...members[0]!.params, ids: [...new Set(members.flatMap((member) => member.params.ids as number[]))] }),
  split: (result, members) => members.map((member) => shareOf(result, member.params.ids as number[])),
});

/** `action_post` answers once for all the moves (`False` for invoices): each member gets that answer. */
const ACTION_RULE = IDS_RULE((result) => result);

/** `read` answers one record per id: each member gets its ids' records, in its own order. */
const READ_RULE = IDS_RULE((result, ids) => {
  if (!Array.isArray(result)) return result;
  const byId = new Map(result.map((record) => [(record as { id?: unknown }).id, record]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)] : []));
});

/**
 * A `search_read` whose domain is a plain conjunction of conditions (no `|`, `&`, `!`): the shape that merges.
 * Conditions with `=` on a number, or on a string of a field that is not a relation (`…_id`: Odoo compares a
 * string there by name, which a returned `[id, name]` cannot be matched against), may differ between members;
 * every other condition must be the same in all of them.
 */
type Leaf = [string, string, unknown];
const isLeaf = (term: unknown): term is Leaf => Array.isArray(term) && term.length === 3 && typeof term[0] === 'string' && typeof term[1] === 'string';
const isVariableLeaf = ([field, operator, value]: Leaf): boolean =>
  operator === '=' && ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '' && !/_ids?$/.test(field)));

/** The domain's merge key (its fixed conditions, and its variable ones without their values), or undefined. */
function conjunctionKey(domain: unknown): string | undefined {
  if (!Array.isArray(domain) || domain.length === 0 || !domain.every(isLeaf)) return undefined;
  return stable(domain.map((leaf) => (isVariableLeaf(leaf) ? [leaf[0], '=', typeof leaf[2]] : leaf)));
}

/** Does the record's value of a field equal a condition's value? A relation reads `[id, name]`: its id counts. */
const fieldEquals = (recordValue: unknown, value: unknown): boolean => (Array.isArray(recordValue) ? recordValue[0] === value : recordValue === value);

const SEARCH_READ_RULE: MergeRule = {
  combine: (members) => {
    const first = members[0]!.params;
    const domain = (first.domain as Leaf[]).map((leaf, position) => {
      if (!isVariableLeaf(leaf)) return leaf;
      const values = [...new Set(members.map((member) => (member.params.domain as Leaf[])[position]![2]))];
      return values.length === 1 ? leaf : [leaf[0], 'in', values];
    });
    // Every field the split matches on is read too, whether or not the members asked for it — also those all
    // members give the same value (the split checks each member's every `=` condition on the records).
    const fields = [...new Set([...(first.fields as string[]), ...(first.domain as Leaf[]).filter(isVariableLeaf).map((leaf) => leaf[0])])];
    const { limit: _limit, ...rest } = first;
    return { ...rest, domain, fields };
  },
  split: (result, members) => {
    if (!Array.isArray(result)) return members.map(() => result);
    return members.map((member) => {
      const conditions = (member.params.domain as Leaf[]).filter(isVariableLeaf);
      const asked = new Set(['id', ...(member.params.fields as string[])]);
      const matching = result.filter((record) => conditions.every(([field, , value]) => fieldEquals((record as Record<string, unknown>)[field], value)));
      const limited = typeof member.params.limit === 'number' ? matching.slice(0, member.params.limit) : matching;
      // Each member gets records shaped as its own call would return them: only the fields it asked for.
      return limited.map((record) => Object.fromEntries(Object.entries(record as Record<string, unknown>).filter(([field]) => asked.has(field))));
    });
  },
};

/** The kind of a call that can share an Odoo call with others, or `undefined` for one that goes alone. */
function kindOf(model: string, method: string, params: OdooParams, options: OdooCallOptions): Kind | undefined {
  // A caller that overrides the retry policy gets exactly the call it asked for.
  if (options.idempotent !== undefined) return undefined;
  const context = stable(params.context);
  if (method === 'load' && onlyKeys(params, ['fields', 'data', 'context']) && Array.isArray(params.fields) && Array.isArray(params.data)) {
    const data = params.data as unknown[];
    if (data.length === 0 || !data.every((row) => Array.isArray(row))) return undefined;
    const idColumn = (params.fields as unknown[]).indexOf('id');
    // Rows without an external id are new records: nothing to keep apart.
    const entities = idColumn < 0 ? [] : data.flatMap((row) => (typeof (row as unknown[])[idColumn] === 'string' && (row as unknown[])[idColumn] !== '' ? [`${model}:${String((row as unknown[])[idColumn])}`] : []));
    return { key: `${model}.load:${stable(params.fields)}:${context}`, rule: LOAD_RULE, member: { params, entities } };
  }
  if (method === 'search_read' && onlyKeys(params, ['domain', 'fields', 'order', 'limit', 'context']) && Array.isArray(params.fields) && params.fields.length > 0) {
    const domainKey = conjunctionKey(params.domain);
    const limit = params.limit;
    // A limit is applied to each member's share; an offset would need the member's whole result: it goes alone.
    if (domainKey === undefined || (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0))) return undefined;
    return { key: `${model}.search_read:${domainKey}:${stable(params.fields)}:${stable(params.order)}:${context}`, rule: SEARCH_READ_RULE, member: { params, entities: [] } };
  }
  const mergedWrites = Object.hasOwn(MERGED_WRITES, model);
  const mergedAction = mergedWrites ? MERGED_WRITES[model] : undefined;
  if (!mergedWrites && method !== 'read') return undefined;
  if (mergedWrites && method === 'create' && onlyKeys(params, ['vals_list', 'context']) && Array.isArray(params.vals_list) && params.vals_list.length > 0) {
    return { key: `${model}.create:${context}`, rule: CREATE_RULE, member: { params, entities: [] } };
  }
  if (mergedAction !== undefined && method === mergedAction && onlyKeys(params, ['ids', 'context']) && isIdList(params.ids)) {
    return { key: `${model}.${method}:${context}`, rule: ACTION_RULE, member: { params, entities: params.ids.map((id) => `${model}:${id}`) } };
  }
  if (method === 'read' && onlyKeys(params, ['ids', 'fields', 'context']) && isIdList(params.ids)) {
    // Reads write nothing: the same record read by two members is read once.
    return { key: `${model}.read:${stable(params.fields)}:${context}`, rule: READ_RULE, member: { params, entities: [] } };
  }
  return undefined;
}

/**
 * A refusal that Odoo answered for the data of the call — it rolled the call back, and one member may be the
 * cause: permanent errors (validation, user error, missing record) and write conflicts (a serialization
 * failure, a sequence number taken). Not: timeouts, resets, unavailability, rate limits, an open breaker,
 * which say nothing about any member.
 */
function isIsolatable(error: unknown): boolean {
  return error instanceof OdooPermanentError || error instanceof OdooSerializationError;
}

/** Splits members into calls so that no call holds two members writing the same record; arrival order kept. */
function rounds(members: readonly Member[]): number[][] {
  const result: Array<{ indexes: number[]; entities: Set<string> }> = [];
  members.forEach((member, index) => {
    // After the last round that already writes one of its records: a later write of a record stays later.
    let after = -1;
    result.forEach((round, position) => {
      if (member.entities.some((entity) => round.entities.has(entity))) after = position;
    });
    let round = result[after + 1];
    if (!round) {
      round = { indexes: [], entities: new Set() };
      result.push(round);
    }
    round.indexes.push(index);
    for (const entity of member.entities) round.entities.add(entity);
  });
  return result.map((round) => round.indexes);
}

/** Calls of one kind gathered within a window. */
interface Gathering {
  readonly members: Member[];
  readonly waiters: Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }>;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * An `OdooCaller` that merges concurrent calls of the same kind (see above); per container, in front of the
 * Odoo client, so the client's rate limit, concurrency bound, retries and breaker apply to the merged call.
 */
export class CoalescingOdooCaller implements OdooCaller {
  /** Per kind, the members waiting for their window to close (or their batch to fill). */
  private readonly open = new Map<string, Gathering>();

  constructor(
    private readonly odoo: OdooCaller,
    private readonly settings: CoalescingSettings,
  ) {
    if (!Number.isInteger(settings.windowMs) || settings.windowMs < 0) throw new RangeError(`batch window must be a whole number of ms ≥ 0, got ${settings.windowMs}`);
    if (!Number.isInteger(settings.maxBatchSize) || settings.maxBatchSize < 1) throw new RangeError(`max batch size must be an integer ≥ 1, got ${settings.maxBatchSize}`);
  }

  call<T = unknown>(model: string, method: string, params: OdooParams = {}, options: OdooCallOptions = {}): Promise<T> {
    const kind = this.settings.maxBatchSize > 1 ? kindOf(model, method, params, options) : undefined;
    if (!kind) return this.odoo.call<T>(model, method, params, options);
    return new Promise<T>((resolve, reject) => {
      let gathering = this.open.get(kind.key);
      if (!gathering) {
        const opened: Gathering = { members: [], waiters: [], timer: setTimeout(() => this.close(kind.key, opened, model, method, kind.rule), this.settings.windowMs) };
        gathering = opened;
        this.open.set(kind.key, gathering);
      }
      gathering.members.push(kind.member);
      gathering.waiters.push({ resolve: resolve as (value: unknown) => void, reject });
      // A full batch does not wait for its window.
      if (gathering.members.length >= this.settings.maxBatchSize) {
        clearTimeout(gathering.timer);
        this.close(kind.key, gathering, model, method, kind.rule);
      }
    });
  }

  /** Sends what was gathered; each waiter gets its own member's outcome. */
  private close(key: string, gathering: Gathering, model: string, method: string, rule: MergeRule): void {
    if (this.open.get(key) === gathering) this.open.delete(key);
    const { members, waiters } = gathering;
    this.dispatch(model, method, rule, members).then(
      (outcomes) =>
        outcomes.forEach((outcome, index) => {
          if (outcome instanceof Error) waiters[index]!.reject(outcome);
          else waiters[index]!.resolve(outcome);
        }),
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }

  /** The members that met in the window: one call per round of distinct records, rounds in arrival order. */
  private async dispatch(model: string, method: string, rule: MergeRule, members: readonly Member[]): Promise<unknown[]> {
    const outcomes = new Array<unknown>(members.length);
    for (const indexes of rounds(members)) {
      const results = await this.apply(model, method, rule, indexes.map((index) => members[index]!));
      indexes.forEach((index, position) => {
        outcomes[index] = results[position];
      });
    }
    return outcomes;
  }

  /** One call for `members`; on a refusal that one of them may have caused, each half again. */
  private async apply(model: string, method: string, rule: MergeRule, members: readonly Member[]): Promise<unknown[]> {
    // Alone, a member gets exactly what Odoo answered it, as if no coalescer were there.
    if (members.length === 1) return [await this.odoo.call(model, method, members[0]!.params).catch(asError)];
    try {
      const result = await this.odoo.call(model, method, rule.combine(members));
      const failure = rule.failureOf?.(result);
      if (failure === undefined) return rule.split(result, members);
      // `load` answered its refusal: retryable or not, a member alone would get the same answer.
      if (!isIsolatable(failure)) return members.map(() => result);
      const blamed = rule.blame?.(result, members);
      if (blamed !== undefined && blamed.size > 0 && blamed.size < members.length) return await this.isolate(model, method, rule, members, blamed);
    } catch (error) {
      if (!isIsolatable(error)) return members.map(() => asError(error));
    }
    const half = Math.ceil(members.length / 2);
    const [first, second] = await Promise.all([this.apply(model, method, rule, members.slice(0, half)), this.apply(model, method, rule, members.slice(half))]);
    return [...first, ...second];
  }

  /** The members Odoo named, each alone (to get their own answer); the others together again. */
  private async isolate(model: string, method: string, rule: MergeRule, members: readonly Member[], blamed: ReadonlySet<number>): Promise<unknown[]> {
    const others = members.flatMap((_member, index) => (blamed.has(index) ? [] : [index]));
    const [together, ...alone] = await Promise.all([
      this.apply(model, method, rule, others.map((index) => members[index]!)),
      ...[...blamed].map((index) => this.apply(model, method, rule, [members[index]!])),
    ]);
    const outcomes = new Array<unknown>(members.length);
    others.forEach((index, position) => {
      outcomes[index] = together![position];
    });
    [...blamed].forEach((index, position) => {
      outcomes[index] = alone[position]![0];
    });
    return outcomes;
  }
}

/** A member whose outcome is an `Error` is rejected with it; anything else thrown is wrapped so it still rejects. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
