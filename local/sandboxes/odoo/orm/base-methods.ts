import { OdooError, PythonValueError, ValidationError } from '../odoo-errors';
import { isEmptyValue } from './fields';
import { RecordsetResult, pythonRepr, type FieldValues, type MethodCall, type MethodTable, type Model } from './model';
import type { OdooEnvironment } from './environment';

/**
 * The public methods every model inherits from Odoo's `BaseModel`, with their Python signatures
 * (`search(domain, offset=0, limit=None, order=None)`...).
 */
export const BASE_MODEL_METHODS: MethodTable = {
  create: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'vals_list', required: true }],
    run: ({ env, model, args }) => {
      const valuesList = args.vals_list;
      const givenOneDict = !Array.isArray(valuesList);
      const list = givenOneDict ? [valuesList] : (valuesList as unknown[]);
      for (const values of list) {
        if (values === null || typeof values !== 'object' || Array.isArray(values)) {
          throw new PythonValueError(`Invalid values for ${model.name}.create: ${pythonRepr(values)}`);
        }
      }
      return new RecordsetResult(model.create(env, list as FieldValues[]), givenOneDict);
    },
  },
  read: {
    definedOn: 'BaseModel',
    onRecords: true,
    parameters: [{ name: 'fields' }, { name: 'load' }],
    run: ({ env, model, ids, args }) => model.read(env, ids, fieldList(args.fields)),
  },
  write: {
    definedOn: 'BaseModel',
    onRecords: true,
    parameters: [{ name: 'vals', required: true }],
    run: ({ env, model, ids, args }) => {
      model.write(env, ids, asValues(args.vals));
      return true;
    },
  },
  unlink: {
    definedOn: 'BaseModel',
    onRecords: true,
    parameters: [],
    run: ({ env, model, ids }) => {
      model.unlink(env, ids);
      return true;
    },
  },
  search: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'domain', required: true }, { name: 'offset' }, { name: 'limit' }, { name: 'order' }],
    run: ({ env, model, args }) => model.search(env, args.domain, searchOptions(args)),
  },
  search_read: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'domain' }, { name: 'fields' }, { name: 'offset' }, { name: 'limit' }, { name: 'order' }, { name: 'load' }],
    run: ({ env, model, args }) => model.read(env, model.search(env, args.domain, searchOptions(args)), fieldList(args.fields)),
  },
  search_count: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'domain', required: true }, { name: 'limit' }],
    run: ({ env, model, args }) => model.search(env, args.domain, { limit: numberOrUndefined(args.limit) }).length,
  },
  name_search: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'name' }, { name: 'domain' }, { name: 'operator' }, { name: 'limit' }],
    run: ({ env, model, args }) => {
      const name = typeof args.name === 'string' ? args.name : '';
      const nameDomain = name === '' ? [] : [[model.definition.recName ?? 'name', args.operator ?? 'ilike', name]];
      const allowed = new Set(model.search(env, args.domain ?? []));
      const ids = model.search(env, nameDomain).filter((id) => allowed.has(id));
      return ids.slice(0, numberOrUndefined(args.limit) ?? 100).map((id) => [id, model.displayNameOf(env, id)]);
    },
  },
  fields_get: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'allfields' }, { name: 'attributes' }],
    run: ({ model, args }) => model.fieldsGet(fieldList(args.allfields), fieldList(args.attributes)),
  },
  load: {
    definedOn: 'BaseModel',
    onRecords: false,
    parameters: [{ name: 'fields', required: true }, { name: 'data', required: true }],
    run: (call) => loadRows(call),
  },
};

function fieldList(value: unknown): string[] | undefined {
  if (isEmptyValue(value)) return undefined;
  if (!Array.isArray(value)) throw new PythonValueError(`Expected a list of field names, got ${pythonRepr(value)}`);
  return value as string[];
}

function asValues(value: unknown): FieldValues {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new PythonValueError(`Invalid values: ${pythonRepr(value)}`);
  return value as FieldValues;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function searchOptions(args: Record<string, unknown>): { offset?: number; limit?: number; order?: string } {
  return {
    offset: numberOrUndefined(args.offset),
    limit: numberOrUndefined(args.limit),
    order: typeof args.order === 'string' ? args.order : undefined,
  };
}

/**
 * `load(fields, data)`: the import API. Rows are created or updated by the external id in the `id`
 * column (`module.name`, or a bare name in module `__import__`), in one call. Columns `x/id` and
 * `x/.id` set a many2one by external or database id. Context `noupdate` flags the external ids it creates;
 * context `mode: 'update'` leaves records so flagged unchanged. A failing row is reported in `messages` (and
 * nothing is kept), not raised, as Odoo does.
 */
function loadRows({ env, model, args }: MethodCall): Record<string, unknown> {
  const columns = args.fields as string[];
  const rows = args.data as unknown[][];
  const ids: number[] = [];
  try {
    env.store.savepoint(() => {
      for (const row of rows) ids.push(loadRow(env, model, columns, row));
    });
  } catch (error) {
    if (!(error instanceof OdooError)) throw error;
    return { ids: false, messages: refusedRows(env, model, columns, rows), nextrow: 0 };
  }
  return { ids, messages: [], nextrow: 0 };
}

/** Thrown to undo the rows `refusedRows` loaded to find the refused ones. */
class UndoLoad extends Error {}

/**
 * Odoo's `load()` after a refused batch: tries the rows again one by one, each in its own savepoint, to report
 * every refused row with its index (`record`, `rows`), then keeps nothing (`ids: false`).
 */
function refusedRows(env: OdooEnvironment, model: Model, columns: readonly string[], rows: readonly unknown[][]): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  try {
    env.store.savepoint(() => {
      rows.forEach((row, index) => {
        try {
          env.store.savepoint(() => loadRow(env, model, columns, row));
        } catch (error) {
          if (!(error instanceof OdooError)) throw error;
          messages.push({ type: 'error', message: error.renderForJsonRpc().message, record: index, rows: { from: index, to: index } });
        }
      });
      throw new UndoLoad();
    });
  } catch (error) {
    if (!(error instanceof UndoLoad)) throw error;
  }
  return messages;
}

function loadRow(env: OdooEnvironment, model: Model, columns: readonly string[], row: readonly unknown[]): number {
  const values: FieldValues = {};
  let externalId: string | undefined;
  columns.forEach((column, index) => {
    const cell = row[index];
    if (column === 'id') {
      externalId = typeof cell === 'string' && cell !== '' ? cell : undefined;
      return;
    }
    const [fieldName = '', suffix] = column.split('/');
    const definition = model.fieldDefinition(fieldName);
    if (definition === undefined) throw new PythonValueError(`Unknown field '${column}' on model '${model.name}'`);
    if (suffix === '.id') values[fieldName] = isEmptyValue(cell) ? false : Number(cell);
    else if (suffix === 'id') values[fieldName] = isEmptyValue(cell) ? false : resolveExternalId(env, String(cell));
    else values[fieldName] = importedValue(env, definition.type, definition.relation, cell);
  });
  const binding = externalId === undefined ? undefined : findExternalId(env, externalId);
  // Odoo's `_load_records`: an external id is bound to one model; another model's row under it is refused.
  if (binding !== undefined && binding.model !== model.name) {
    throw new ValidationError(`For external id ${externalId} when trying to create/update a record of model ${model.name} found record of different model ${binding.model} (${binding.id})`);
  }
  if (binding !== undefined && model.exists(env, binding.resId)) {
    // Odoo's `_load_records`: in `update` mode (context `mode`), a record whose external id is flagged
    // `noupdate` is returned as it is.
    if (!(env.context.mode === 'update' && binding.noupdate)) model.write(env, [binding.resId], values);
    return binding.resId;
  }
  const [id] = model.create(env, [values]) as [number];
  if (externalId !== undefined) {
    const { module, name } = splitExternalId(externalId);
    env.model('ir.model.data').create(env, [{ module, name, model: model.name, res_id: id, noupdate: env.context.noupdate === true }]);
  }
  return id;
}

/** Import cells arrive as text: convert them to the field's type. */
function importedValue(env: OdooEnvironment, type: string, relation: string | undefined, cell: unknown): unknown {
  if (typeof cell !== 'string') return cell;
  switch (type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return cell === '' ? 0 : Number(cell);
    case 'boolean':
      return ['1', 'true', 'yes'].includes(cell.toLowerCase());
    case 'many2one': {
      if (cell === '' || relation === undefined) return false;
      const [match] = env.model(relation).search(env, [[env.model(relation).definition.recName ?? 'name', '=', cell]], { limit: 1 });
      if (match === undefined) throw new PythonValueError(`No matching record found for name '${cell}' in field '${relation}'`);
      return match;
    }
    default:
      return cell === '' ? false : cell;
  }
}

export function splitExternalId(externalId: string): { module: string; name: string } {
  const separator = externalId.indexOf('.');
  return separator === -1
    ? { module: '__import__', name: externalId }
    : { module: externalId.slice(0, separator), name: externalId.slice(separator + 1) };
}

function findExternalId(env: OdooEnvironment, externalId: string): { id: number; model: string; resId: number; noupdate: boolean } | undefined {
  const { module, name } = splitExternalId(externalId);
  const binding = env.store.all('ir.model.data').find((record) => record.module === module && record.name === name);
  return binding === undefined ? undefined : { id: Number(binding.id), model: String(binding.model), resId: Number(binding.res_id), noupdate: binding.noupdate === true };
}

function resolveExternalId(env: OdooEnvironment, externalId: string): number {
  const binding = findExternalId(env, externalId);
  if (binding === undefined) throw new PythonValueError(`No matching record found for external id '${externalId}'`);
  return binding.resId;
}
