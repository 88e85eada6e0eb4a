import { ValidationError } from '../odoo-errors';
import type { OdooEnvironment } from '../orm/environment';
import { field } from '../orm/fields';
import type { FieldValues, ModelDefinition } from '../orm/model';

/**
 * External ids (`module.name` → model + res_id): the anchor of idempotent upserts. `(module, name)` is
 * unique: a second binding fails with the `ValidationError` PostgreSQL's unique index causes, word for word.
 */
export const irModelDataModel: ModelDefinition = {
  name: 'ir.model.data',
  description: 'Model Data',
  order: 'module, model, name',
  fields: {
    name: field.char('External Identifier', { required: true }),
    complete_name: field.char('Complete ID', { compute: (_env, record) => `${String(record.module)}.${String(record.name)}` }),
    module: field.char('Module', { required: true, default: '' }),
    model: field.char('Model Name', { required: true }),
    res_id: field.integer('Record ID'),
    noupdate: field.boolean('Non Updatable'),
  },
  prepareCreate: (env, values) => {
    assertExternalIdIsFree(env, values, undefined);
    return values;
  },
  prepareWrite: (env, records, values) => {
    for (const record of records) assertExternalIdIsFree(env, { ...record, ...values }, record.id);
    return values;
  },
};

function assertExternalIdIsFree(env: OdooEnvironment, values: FieldValues, ownId: number | undefined): void {
  const module = String(values.module ?? '');
  const name = String(values.name ?? '');
  const taken = env.store.all('ir.model.data').some((binding) => binding.id !== ownId && binding.module === module && binding.name === name);
  if (!taken) return;
  throw new ValidationError(
    'The operation cannot be completed: duplicate key value violates unique constraint "ir_model_data_module_name_uniq_index"\n' +
      `DETAIL:  Key (module, name)=(${module}, ${name}) already exists.\n`,
  );
}
