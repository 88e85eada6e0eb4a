import { describe, expect, it, vi } from 'vitest';
import { CoalescingOdooCaller } from '../../../../functions/erp/odoo/call-coalescer';
import { createAndPostInvoice, registerPayment } from '../../../../functions/erp/odoo/invoice-operations';
import type { OdooCaller } from '../../../../functions/erp/odoo/odoo-caller';
import { OdooTimeoutError, OdooUserError, OdooValidationError } from '../../../../functions/erp/odoo/odoo-errors';
import { loadRows, upsertByExternalId } from '../../../../functions/erp/odoo/record-operations';
import type { OdooParams } from '../../../../functions/erp/odoo/odoo-transport';

/**
 * A small Odoo that answers as the real one does for the calls that merge: every call is one transaction (a
 * refused row refuses the whole call, nothing is kept), `load` reports a bad row in `messages`, `create` answers
 * ids in the order of `vals_list`, `read` a record per id. A partner or move named `REFUSED` is refused.
 */
class TransactionalOdoo {
  readonly calls: Array<{ operation: string; params: OdooParams }> = [];
  readonly partners = new Map<string, number>();
  readonly moves = new Map<number, { name: string; state: string }>();
  /** When set, every call fails with it (Odoo or the network unwell). */
  outage: Error | undefined;
  private nextId = 100;

  async call<T>(model: string, method: string, params: OdooParams = {}): Promise<T> {
    this.calls.push({ operation: `${model}.${method}`, params });
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.outage) throw this.outage;
    if (method === 'load') {
      const rows = params.data as string[][];
      // Odoo tries a refused load again row by row and names every refused row; nothing is kept.
      const refused = rows.flatMap((row, index) => (row[1] === 'REFUSED' ? [{ type: 'error', message: 'name: refused by a constraint', record: index, rows: { from: index, to: index } }] : []));
      if (refused.length > 0) return { ids: false, messages: refused } as T;
      return { ids: rows.map((row) => this.partners.get(row[0]!) ?? this.partners.set(row[0]!, this.nextId++).get(row[0]!)!), messages: [] } as T;
    }
    if (method === 'create') {
      const valsList = params.vals_list as Array<{ name: string }>;
      if (valsList.some((vals) => vals.name === 'REFUSED')) throw new OdooValidationError('name: refused by a constraint');
      return valsList.map((vals) => {
        const id = this.nextId++;
        this.moves.set(id, { name: vals.name, state: 'draft' });
        return id;
      }) as T;
    }
    if (method === 'action_post') {
      const ids = params.ids as number[];
      if (ids.some((id) => this.moves.get(id)?.state !== 'draft')) throw new OdooUserError('Only draft entries can be posted.');
      for (const id of ids) this.moves.get(id)!.state = 'posted';
      return false as T;
    }
    if (method === 'read') return (params.ids as number[]).map((id) => ({ id, ...this.moves.get(id) })) as T;
    if (method === 'search_read') return this.searchRead(params) as T;
    return true as T;
  }

  /** Payments, as a conjunctive `search_read` finds them (`=`, `in`, `!=`), with only the asked fields, by id. */
  readonly payments: Array<{ id: number; memo: string; partner_id: [number, string]; state: string; amount: number }> = [];

  private searchRead(params: OdooParams): unknown[] {
    const domain = params.domain as Array<[string, string, unknown]>;
    const value = (record: Record<string, unknown>, field: string) => (Array.isArray(record[field]) ? (record[field] as unknown[])[0] : record[field]);
    const matches = (record: Record<string, unknown>) =>
      domain.every(([field, operator, expected]) =>
        operator === '=' ? value(record, field) === expected : operator === 'in' ? (expected as unknown[]).includes(value(record, field)) : value(record, field) !== expected,
      );
    const found = this.payments.filter((payment) => matches(payment)).slice(0, typeof params.limit === 'number' ? params.limit : undefined);
    const fields = new Set(['id', ...(params.fields as string[])]);
    return found.map((payment) => Object.fromEntries(Object.entries(payment).filter(([field]) => fields.has(field))));
  }

  operations(): string[] {
    return this.calls.map((call) => call.operation);
  }
}

const settings = { windowMs: 5, maxBatchSize: 20 };
const partnerRow = (n: number, name = `Customer ${n}`) => ({ externalId: `saas_sync.customer_${n}`, cells: [name] });
const outcomes = <T>(promises: Array<Promise<T>>) => Promise.allSettled(promises);

describe('merging concurrent Odoo calls of the same kind', () => {
  it('turns concurrent loads of the same columns into one load, each caller getting its own id', async () => {
    // Arrange
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    // Act
    const ids = await Promise.all([1, 2, 3, 4].map((n) => loadRows(caller, 'res.partner', ['name'], [partnerRow(n)])));
    // Assess
    expect(odoo.operations()).toEqual(['res.partner.load']);
    expect(odoo.calls[0]!.params.data).toEqual([1, 2, 3, 4].map((n) => [`saas_sync.customer_${n}`, `Customer ${n}`]));
    expect(ids).toEqual([1, 2, 3, 4].map((n) => [odoo.partners.get(`saas_sync.customer_${n}`)]));
  });

  it('invoices created, posted and read back concurrently take 3 calls in all, each caller its own move', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const invoices = await Promise.all(['A', 'B', 'C'].map((name) => createAndPostInvoice(caller, { name, invoice_line_ids: [] })));
    expect(odoo.operations()).toEqual(['account.move.create', 'account.move.action_post', 'account.move.read']);
    expect(invoices.map((invoice) => [odoo.moves.get(invoice.id)?.name, invoice.state])).toEqual([
      ['A', 'posted'],
      ['B', 'posted'],
      ['C', 'posted'],
    ]);
  });

  it('orders created and confirmed concurrently take 2 calls in all, each caller its own order', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const ids = await Promise.all(
      ['S1', 'S2', 'S3'].map(async (name) => {
        const [id] = await caller.call<number[]>('sale.order', 'create', { vals_list: [{ name }] });
        await caller.call('sale.order', 'action_confirm', { ids: [id] });
        return id;
      }),
    );
    expect(odoo.operations()).toEqual(['sale.order.create', 'sale.order.action_confirm']);
    expect(odoo.calls[1]!.params.ids).toEqual(ids);
    expect(ids.map((id) => odoo.moves.get(id!)?.name)).toEqual(['S1', 'S2', 'S3']);
  });

  it('keeps calls of different kinds apart: other columns, other fields, another context', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    await Promise.all([
      caller.call('res.partner', 'load', { fields: ['id', 'name'], data: [['saas_sync.a', 'A']] }),
      caller.call('res.partner', 'load', { fields: ['id', 'email'], data: [['saas_sync.b', 'b@example.com']] }),
      caller.call('res.partner', 'load', { fields: ['id', 'name'], data: [['saas_sync.c', 'C']], context: { noupdate: true } }),
      caller.call('account.move', 'read', { ids: [1], fields: ['name'] }),
      caller.call('account.move', 'read', { ids: [2], fields: ['state'] }),
    ]);
    expect(odoo.calls).toHaveLength(5);
  });

  it('passes through what does not merge: writes, searches, a caller that sets its own retry policy', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    await Promise.all([
      caller.call('res.partner', 'write', { ids: [1], vals: { name: 'A' } }),
      caller.call('res.partner', 'write', { ids: [2], vals: { name: 'B' } }),
      caller.call('res.partner', 'create', { vals_list: [{ name: 'not a move' }] }),
      caller.call('account.move', 'create', { vals_list: [{ name: 'X' }] }, { idempotent: true }),
      caller.call('account.move', 'create', { vals_list: [{ name: 'Y' }] }),
    ]);
    expect(odoo.operations()).toEqual(['res.partner.write', 'res.partner.write', 'res.partner.create', 'account.move.create', 'account.move.create']);
  });

  it('reads the same record once when two callers ask for it, and answers each in its own order', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const [first, second] = await Promise.all([
      caller.call('account.move', 'read', { ids: [3, 1], fields: ['name'] }),
      caller.call('account.move', 'read', { ids: [1, 2], fields: ['name'] }),
    ]);
    expect(odoo.calls.map((call) => call.params.ids)).toEqual([[3, 1, 2]]);
    expect(first).toEqual([{ id: 3 }, { id: 1 }]);
    expect(second).toEqual([{ id: 1 }, { id: 2 }]);
  });
});

describe('merging concurrent searches', () => {
  const payment = (id: number, memo: string, partner: number, state = 'paid') => ({ id, memo, partner_id: [partner, `Partner ${partner}`] as [number, string], state, amount: id });
  const byMemo = (memo: string, partner: number, limit?: number) =>
    ({ domain: [['memo', '=', memo], ['partner_id', '=', partner], ['state', '!=', 'canceled']], fields: ['state'], order: 'id asc', ...(limit ? { limit } : {}) });

  it('payments looked up by memo and partner at once: one search_read, each caller exactly what its own search finds', async () => {
    // Arrange: two payments share a memo across partners, one is cancelled
    const odoo = new TransactionalOdoo();
    odoo.payments.push(payment(1, 'pi_1', 7), payment(2, 'pi_2', 8), payment(3, 'pi_1', 8), payment(4, 'pi_3', 9, 'canceled'), payment(5, 'pi_2', 8));
    const caller = new CoalescingOdooCaller(odoo, settings);
    // Act
    const [first, second, third, cancelled] = await Promise.all([
      caller.call('account.payment', 'search_read', byMemo('pi_1', 7)),
      caller.call('account.payment', 'search_read', byMemo('pi_2', 8, 1)),
      caller.call('account.payment', 'search_read', byMemo('pi_1', 8)),
      caller.call('account.payment', 'search_read', byMemo('pi_3', 9)),
    ]);
    // Assess: one call, with `in` for what differs and the unchanged condition kept; answers as if alone
    expect(odoo.operations()).toEqual(['account.payment.search_read']);
    expect(odoo.calls[0]!.params.domain).toEqual([['memo', 'in', ['pi_1', 'pi_2', 'pi_3']], ['partner_id', 'in', [7, 8, 9]], ['state', '!=', 'canceled']]);
    expect(odoo.calls[0]!.params.limit).toBeUndefined();
    expect(first).toEqual([{ id: 1, state: 'paid' }]);
    expect(second).toEqual([{ id: 2, state: 'paid' }]);
    expect(third).toEqual([{ id: 3, state: 'paid' }]);
    expect(cancelled).toEqual([]);
  });

  it('searches that share some `=` conditions (one partner, one state) still find their records: every matched field is read', async () => {
    const odoo = new TransactionalOdoo();
    odoo.payments.push(payment(1, 'pi_1', 7), payment(2, 'pi_2', 7), payment(3, 'pi_3', 8));
    const caller = new CoalescingOdooCaller(odoo, settings);
    const search = (memo: string) => ({ domain: [['state', '=', 'paid'], ['partner_id', '=', 7], ['memo', '=', memo]], fields: ['amount'] });
    const [first, second] = await Promise.all([caller.call('account.payment', 'search_read', search('pi_1')), caller.call('account.payment', 'search_read', search('pi_2'))]);
    expect(odoo.operations()).toEqual(['account.payment.search_read']);
    expect(odoo.calls[0]!.params.domain).toEqual([['state', '=', 'paid'], ['partner_id', '=', 7], ['memo', 'in', ['pi_1', 'pi_2']]]);
    expect(first).toEqual([{ id: 1, amount: 1 }]);
    expect(second).toEqual([{ id: 2, amount: 2 }]);
  });

  it('answers each caller as a lone search would, whatever the order the callers come in', async () => {
    const odoo = new TransactionalOdoo();
    odoo.payments.push(payment(1, 'pi_1', 7), payment(2, 'pi_2', 8), payment(3, 'pi_1', 8));
    const searches = [byMemo('pi_2', 8), byMemo('pi_1', 8), byMemo('pi_1', 7), byMemo('pi_9', 7)];
    const alone = [];
    for (const search of searches) alone.push(await new CoalescingOdooCaller(odoo, { windowMs: 0, maxBatchSize: 1 }).call('account.payment', 'search_read', search));
    const merged = await Promise.all(searches.map((search) => new CoalescingOdooCaller(odoo, settings).call('account.payment', 'search_read', search)));
    expect(merged).toEqual(alone);
  });

  it('keeps apart searches that are not plain conjunctions, have an offset, or differ in a condition other than `=`', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    await Promise.all([
      caller.call('account.payment', 'search_read', { domain: ['|', ['memo', '=', 'a'], ['memo', '=', 'b']], fields: ['state'] }),
      caller.call('account.payment', 'search_read', { domain: ['|', ['memo', '=', 'c'], ['memo', '=', 'd']], fields: ['state'] }),
      caller.call('account.payment', 'search_read', { domain: [['memo', '=', 'e']], fields: ['state'], offset: 1 }),
      caller.call('account.payment', 'search_read', { domain: [['memo', '=', 'f']], fields: ['state'], offset: 1 }),
      caller.call('account.payment', 'search_read', { domain: [['state', '!=', 'draft']], fields: ['state'] }),
      caller.call('account.payment', 'search_read', { domain: [['state', '!=', 'posted']], fields: ['state'] }),
      // A relation compared with a name (Odoo searches it by name) cannot be matched in the merged answer.
      caller.call('account.payment', 'search_read', { domain: [['partner_id', '=', 'Partner 7']], fields: ['state'] }),
      caller.call('account.payment', 'search_read', { domain: [['partner_id', '=', 'Partner 8']], fields: ['state'] }),
    ]);
    expect(odoo.calls).toHaveLength(8);
  });
});

describe('isolation: a merged call that Odoo refuses', () => {
  it('a load with one refused row: that row alone gets Odoo’s reason, every other row is written once, in 3 calls', async () => {
    // Arrange
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => partnerRow(n, n === 6 ? 'REFUSED' : `Customer ${n}`));
    // Act
    const results = await outcomes(rows.map((row) => loadRows(caller, 'res.partner', ['name'], [row])));
    // Assess
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(results[5]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ name: 'OdooValidationError', message: 'name: refused by a constraint' }) });
    expect([...odoo.partners.keys()].sort()).toEqual([1, 2, 3, 4, 5, 7, 8].map((n) => `saas_sync.customer_${n}`).sort());
    // The merged load (refused, naming row 6), the 7 others together, the refused one alone.
    expect(odoo.calls.map((call) => (call.params.data as unknown[]).length)).toEqual([8, 7, 1]);
  });

  it('a refusal that names no member is split in halves until the refused member is alone', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const names = ['A', 'B', 'C', 'D', 'E', 'REFUSED', 'G', 'H'];
    const results = await outcomes(names.map((name) => caller.call<number[]>('account.move', 'create', { vals_list: [{ name }] })));
    expect(results.map((result) => result.status)).toEqual(names.map((name) => (name === 'REFUSED' ? 'rejected' : 'fulfilled')));
    expect([...odoo.moves.values()].map((move) => move.name).sort()).toEqual(names.filter((name) => name !== 'REFUSED'));
    // 8 → 4 + 4 → the refused half's 2 + 2 → 1 + 1: 7 calls, against 8 one by one; the good half is written once.
    expect(odoo.calls.map((call) => (call.params.vals_list as unknown[]).length)).toEqual([8, 4, 4, 2, 2, 1, 1]);
  });

  it('a create with one refused invoice: the others are created once, the refused one gets the validation error', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const results = await outcomes(['A', 'REFUSED', 'C'].map((name) => caller.call<number[]>('account.move', 'create', { vals_list: [{ name }] })));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ reason: expect.any(OdooValidationError) });
    expect([...odoo.moves.values()].map((move) => move.name).sort()).toEqual(['A', 'C']);
  });

  it('an outage is every member’s failure, with no split (retrying them one by one would only add load)', async () => {
    const odoo = new TransactionalOdoo();
    odoo.outage = new OdooTimeoutError('no answer', { mayHaveApplied: true });
    const caller = new CoalescingOdooCaller(odoo, settings);
    const results = await outcomes([1, 2, 3].map((n) => loadRows(caller, 'res.partner', ['name'], [partnerRow(n)])));
    expect(results.map((result) => result.status === 'rejected' && result.reason)).toEqual([odoo.outage, odoo.outage, odoo.outage]);
    expect(odoo.calls).toHaveLength(1);
  });
});

describe('what a merged call never holds', () => {
  it('two writes of the same external id: the later goes in a later call, after the first', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    await Promise.all([
      upsertByExternalId(caller, 'res.partner', 'saas_sync.customer_1', { name: 'first' }),
      upsertByExternalId(caller, 'res.partner', 'saas_sync.customer_2', { name: 'other' }),
      upsertByExternalId(caller, 'res.partner', 'saas_sync.customer_1', { name: 'second' }),
    ]);
    expect(odoo.calls.map((call) => call.params.data)).toEqual([
      [
        ['saas_sync.customer_1', 'first'],
        ['saas_sync.customer_2', 'other'],
      ],
      [['saas_sync.customer_1', 'second']],
    ]);
  });

  it('two posts of the same move do not share a call', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const [id] = await caller.call<number[]>('account.move', 'create', { vals_list: [{ name: 'A' }] });
    const results = await outcomes([caller.call('account.move', 'action_post', { ids: [id!] }), caller.call('account.move', 'action_post', { ids: [id!] })]);
    expect(odoo.calls.slice(1).map((call) => call.params.ids)).toEqual([[id], [id]]);
    // The second post finds the move posted, as it would have one after the other.
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected']);
  });
});

describe('the window and the size bounds', () => {
  it('a lone call waits the window out, and not a millisecond more', async () => {
    vi.useFakeTimers();
    try {
      const odoo = new TransactionalOdoo();
      const caller = new CoalescingOdooCaller(odoo, { windowMs: 20, maxBatchSize: 20 });
      const loaded = loadRows(caller, 'res.partner', ['name'], [partnerRow(1)]);
      await vi.advanceTimersByTimeAsync(19);
      expect(odoo.calls).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(odoo.calls).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect(loaded).resolves.toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a call made after the window closed goes in the next call', async () => {
    vi.useFakeTimers();
    try {
      const odoo = new TransactionalOdoo();
      const caller = new CoalescingOdooCaller(odoo, { windowMs: 5, maxBatchSize: 20 });
      const early = loadRows(caller, 'res.partner', ['name'], [partnerRow(1)]);
      await vi.advanceTimersByTimeAsync(5);
      const late = loadRows(caller, 'res.partner', ['name'], [partnerRow(2)]);
      await vi.advanceTimersByTimeAsync(10);
      await Promise.all([early, late]);
      expect(odoo.calls.map((call) => call.params.data)).toEqual([[['saas_sync.customer_1', 'Customer 1']], [['saas_sync.customer_2', 'Customer 2']]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('no merged call carries more members than the size bound', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, { windowMs: 5, maxBatchSize: 3 });
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => loadRows(caller, 'res.partner', ['name'], [partnerRow(n)])));
    expect(odoo.calls.map((call) => (call.params.data as unknown[]).length)).toEqual([3, 3, 1]);
  });

  it('a full batch goes at once, without waiting for its window', async () => {
    vi.useFakeTimers();
    try {
      const odoo = new TransactionalOdoo();
      const caller = new CoalescingOdooCaller(odoo, { windowMs: 200, maxBatchSize: 3 });
      const loads = [1, 2, 3, 4].map((n) => loadRows(caller, 'res.partner', ['name'], [partnerRow(n)]));
      await vi.advanceTimersByTimeAsync(0);
      expect(odoo.calls.map((call) => (call.params.data as unknown[]).length)).toEqual([3]);
      // The fourth waits out its window, then Odoo's answer (1 ms here).
      await vi.advanceTimersByTimeAsync(201);
      await Promise.all(loads);
      expect(odoo.calls.map((call) => (call.params.data as unknown[]).length)).toEqual([3, 1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a size bound of 1 sends every call as it comes', async () => {
    const odoo = new TransactionalOdoo();
    const caller = new CoalescingOdooCaller(odoo, { windowMs: 5, maxBatchSize: 1 });
    await Promise.all([1, 2].map((n) => loadRows(caller, 'res.partner', ['name'], [partnerRow(n)])));
    expect(odoo.calls).toHaveLength(2);
  });

  it.each([
    [{ windowMs: -1, maxBatchSize: 10 }, /window/],
    [{ windowMs: 2.5, maxBatchSize: 10 }, /window/],
    [{ windowMs: 10, maxBatchSize: 0 }, /size/],
  ])('refuses settings that make no sense: %o', (bad, message) => {
    expect(() => new CoalescingOdooCaller(new TransactionalOdoo(), bad)).toThrow(message);
  });
});

/**
 * The payment wizard as a real Odoo answers it: one wizard per set of receivable items, `create` in one
 * transaction (a refused wizard refuses the whole call), `action_create_payments` one wizard at a time.
 */
class PaymentWizardOdoo {
  readonly calls: Array<{ operation: string; params: OdooParams }> = [];
  /** Each invoice's open receivable item: invoice id → item id. */
  readonly items = new Map([[11, 711], [12, 712], [13, 713], [14, 714]]);
  readonly wizards = new Map<number, { items: number[]; amount: number; memo: string }>();
  readonly payments: Array<{ id: number; item: number; amount: number; memo: string }> = [];
  private nextId = 500;

  async call<T>(model: string, method: string, params: OdooParams = {}): Promise<T> {
    this.calls.push({ operation: `${model}.${method}`, params });
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (model === 'account.move.line' && method === 'search_read') {
      const [, operator, value] = (params.domain as Array<[string, string, unknown]>)[0]!;
      const moves = operator === 'in' ? (value as number[]) : [value as number];
      return moves.flatMap((move) => (this.items.has(move) ? [{ id: this.items.get(move)!, move_id: [move, `INV/${move}`], display_type: 'payment_term' }] : [])) as T;
    }
    if (method === 'create') {
      const valsList = params.vals_list as Array<{ line_ids: [[6, 0, number[]]]; amount: number; communication: string }>;
      if (valsList.some((vals) => vals.amount <= 0)) throw new OdooUserError('The payment amount must be strictly positive.');
      return valsList.map((vals) => {
        const id = this.nextId++;
        this.wizards.set(id, { items: vals.line_ids[0][2], amount: vals.amount, memo: vals.communication });
        return id;
      }) as T;
    }
    if (method === 'action_create_payments') {
      const ids = params.ids as number[];
      if (ids.length !== 1) throw new Error('Expected singleton: account.payment.register(' + ids.join(', ') + ')');
      const wizard = this.wizards.get(ids[0]!)!;
      const id = this.nextId++;
      this.payments.push({ id, item: wizard.items[0]!, amount: wizard.amount, memo: wizard.memo });
      return { type: 'ir.actions.act_window', res_model: 'account.payment', res_id: id } as T;
    }
    throw new Error(`unexpected ${model}.${method}`);
  }

  operations(): string[] {
    return this.calls.map((call) => call.operation);
  }
}

describe('payments of a consumer batch through the payment wizard', () => {
  const pay = (caller: OdooCaller, invoiceId: number, amount: number) =>
    registerPayment(caller, invoiceId, { amount, paymentDate: '2026-12-03', communication: `ch_${invoiceId}`, journalId: 6 });

  it('4 payments at once: one search of the open items, one create of the 4 wizards, then each wizard run alone — 6 calls, not 12', async () => {
    const odoo = new PaymentWizardOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const results = await Promise.all([11, 12, 13, 14].map((invoiceId, index) => pay(caller, invoiceId, 10 + index)));
    expect(odoo.operations()).toEqual([
      'account.move.line.search_read',
      'account.payment.register.create',
      ...Array(4).fill('account.payment.register.action_create_payments'),
    ]);
    // Each invoice paid once, with its own amount and memo, and each caller told its own payment.
    expect(odoo.payments.map(({ item, amount, memo }) => ({ item, amount, memo })).sort((a, b) => a.item - b.item)).toEqual([
      { item: 711, amount: 10, memo: 'ch_11' },
      { item: 712, amount: 11, memo: 'ch_12' },
      { item: 713, amount: 12, memo: 'ch_13' },
      { item: 714, amount: 13, memo: 'ch_14' },
    ]);
    expect(results.map((result) => odoo.payments.find((payment) => payment.id === result.paymentId)?.memo)).toEqual(['ch_11', 'ch_12', 'ch_13', 'ch_14']);
  });

  it('a wizard Odoo refuses in a merged create: the others pay once, the refused one alone gets Odoo’s reason and pays nothing', async () => {
    const odoo = new PaymentWizardOdoo();
    const caller = new CoalescingOdooCaller(odoo, settings);
    const results = await outcomes([11, 12, 13, 14].map((invoiceId) => pay(caller, invoiceId, invoiceId === 13 ? 0 : 25)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toMatchObject({ reason: expect.any(OdooUserError) });
    expect((results[2] as PromiseRejectedResult).reason.message).toMatch(/strictly positive/);
    expect(odoo.payments.map((payment) => payment.item).sort()).toEqual([711, 712, 714]);
    // Bisected: the merged create refused, then halves, then the refused wizard alone; no wizard ran twice.
    expect(odoo.operations().filter((operation) => operation === 'account.payment.register.action_create_payments')).toHaveLength(3);
  });

  it('an invoice with nothing left to pay is refused without a wizard, beside the others that pay', async () => {
    const odoo = new PaymentWizardOdoo();
    odoo.items.delete(12);
    const caller = new CoalescingOdooCaller(odoo, settings);
    const results = await outcomes([11, 12].map((invoiceId) => pay(caller, invoiceId, 25)));
    expect(results[0]).toMatchObject({ status: 'fulfilled' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(OdooUserError) });
    expect(odoo.payments.map((payment) => payment.item)).toEqual([711]);
  });
});
