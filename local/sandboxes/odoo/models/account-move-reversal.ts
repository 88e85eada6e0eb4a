import { UserError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field, isEmptyValue } from '../orm/fields';
import type { ModelDefinition } from '../orm/model';
import type { StoredRecord } from '../store';

const REVERSED_TYPE: Record<string, string> = {
  out_invoice: 'out_refund',
  out_refund: 'out_invoice',
  in_invoice: 'in_refund',
  in_refund: 'in_invoice',
  entry: 'entry',
};

/** `account.move.reversal`: the credit-note wizard on posted moves (`active_model`/`active_ids` in the context). */
export const moveReversalModel: ModelDefinition = {
  name: 'account.move.reversal',
  description: 'Account Move Reversal',
  fields: {
    move_ids: field.many2many('Moves', 'account.move'),
    new_move_ids: field.many2many('New Moves', 'account.move'),
    reason: field.char('Reason displayed on Credit Note'),
    date: field.date('Reversal date', { default: (env: OdooEnvironment) => env.today() }),
    // Computed from the moves in the web form only: created over RPC without it, the wizard is refused as a
    // missing required value (recorded: test/contract/odoo/real-odoo-cases/recorded/*/account.move.reversal.create.no_journal).
    journal_id: field.many2one('Journal', 'account.journal', { required: true }),
  },
  prepareCreate: (env, values) => {
    const activeIds = env.context.active_model === 'account.move' && Array.isArray(env.context.active_ids) ? env.context.active_ids : [];
    const moves = activeIds.map((id) => env.model('account.move').get(env, Number(id)));
    if (moves.some((move) => move.state !== 'posted')) throw new UserError('You can only reverse posted moves.');
    return { ...values, move_ids: moves.map((move) => move.id) };
  },
  methods: {
    refund_moves: {
      definedOn: 'AccountMoveReversal',
      onRecords: true,
      parameters: [],
      run: ({ env, model, ids }) => {
        const newMoves = ids.flatMap((id) => {
          const wizard = model.get(env, id);
          const created = (wizard.move_ids as number[]).map((moveId) => reverseMove(env, wizard, env.model('account.move').get(env, moveId)));
          env.store.update('account.move.reversal', id, { new_move_ids: created.map((move) => move.id) });
          return created;
        });
        const [first] = newMoves;
        const action = { name: 'Reverse Moves', type: 'ir.actions.act_window', res_model: 'account.move' };
        if (newMoves.length === 1 && first !== undefined) {
          return { ...action, view_mode: 'form', res_id: first.id, context: { default_move_type: first.move_type } };
        }
        return {
          ...action,
          view_mode: 'list,form',
          domain: [['id', 'in', newMoves.map((move) => move.id)]],
          context: first === undefined ? {} : { default_move_type: first.move_type },
        };
      },
    },
  },
};

/** The draft credit note of `move`: same partner, currency and lines, dated and referenced by the wizard. */
function reverseMove(env: OdooEnvironment, wizard: StoredRecord, move: StoredRecord): StoredRecord {
  const reason = isEmptyValue(wizard.reason) ? undefined : String(wizard.reason);
  const moveName = String(env.model('account.move').displayNameOf(env, move.id));
  const lines = env.store.all('account.move.line').filter((line) => line.move_id === move.id && line.display_type !== 'payment_term');
  const date = String(wizard.date);
  const moveType = REVERSED_TYPE[String(move.move_type)] ?? 'entry';
  const [id] = env.model('account.move').create(env, [
    {
      move_type: moveType,
      partner_id: move.partner_id,
      currency_id: move.currency_id,
      journal_id: wizard.journal_id,
      ref: reason === undefined ? `Reversal of: ${moveName}` : `Reversal of: ${moveName}, ${reason}`,
      date,
      ...(moveType === 'entry' ? {} : { invoice_date: date, invoice_date_due: date }),
      reversed_entry_id: move.id,
      invoice_line_ids: lines.map((line) => [
        0,
        0,
        {
          product_id: line.product_id,
          name: line.name,
          quantity: line.quantity,
          price_unit: line.price_unit,
          discount: line.discount ?? 0,
          tax_ids: [[6, 0, line.tax_ids ?? []]],
        },
      ]),
    },
  ]) as [number];
  return env.model('account.move').get(env, id);
}
