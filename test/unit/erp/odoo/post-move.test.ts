import { describe, expect, it } from 'vitest';
import { postMove } from '../../../../functions/erp/odoo/invoice-operations';
import { odooErrorFromName, OdooUserError } from '../../../../functions/erp/odoo/odoo-errors';

/** An Odoo caller that answers each call in turn (an Error is thrown) and records what it was asked. */
function scripted(...answers: unknown[]) {
  const calls: Array<{ operation: string; params: unknown }> = [];
  return {
    calls,
    call: async <T>(model: string, method: string, params?: unknown): Promise<T> => {
      calls.push({ operation: `${model}.${method}`, params });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
  };
}

// What a real Odoo 18 answers when the draft's precomputed number was taken by a document posted meanwhile.
const numberTaken = () =>
  odooErrorFromName('odoo.exceptions.ValidationError', 'The operation cannot be completed: Another entry with the same name already exists.', { model: 'account.move', method: 'action_post' });

describe('posting a customer document', () => {
  it('posts in one call', async () => {
    const odoo = scripted(false);
    await postMove(odoo, 7);
    expect(odoo.calls).toEqual([{ operation: 'account.move.action_post', params: { ids: [7] } }]);
  });

  it('a draft whose number another document took gives its name back and is posted again with the next number', async () => {
    const odoo = scripted(numberTaken(), true, false);
    await postMove(odoo, 2);
    expect(odoo.calls).toEqual([
      { operation: 'account.move.action_post', params: { ids: [2] } },
      { operation: 'account.move.write', params: { ids: [2], vals: { name: '/' } } },
      { operation: 'account.move.action_post', params: { ids: [2] } },
    ]);
  });

  it('any other refusal is the caller’s, unchanged', async () => {
    const refused = new OdooUserError('You need to add a line before posting.');
    const odoo = scripted(refused);
    await expect(postMove(odoo, 3)).rejects.toBe(refused);
    expect(odoo.calls).toHaveLength(1);
  });
});
