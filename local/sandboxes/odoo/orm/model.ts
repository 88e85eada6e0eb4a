import { MissingError, PythonValueError, ValidationError } from '../odoo-errors';
import type { StoredRecord } from '../store';
import { domainMentionsField, matchesDomain, parseDomain } from './domain';
import type { OdooEnvironment } from './environment';
import { describeField, field, isEmptyValue, type FieldDefinition } from './fields';
import { sortRecords } from './ordering';

export type FieldValues = Record<string, unknown>;

export interface MethodParameter {
  name: string;
  required?: boolean;
}

/**
 * A method callable over RPC, with its Python signature (after `self`) so that both transports can
 * bind positional and named arguments exactly as Python would, and fail the same way when they don't fit.
 */
export interface MethodDefinition {
  /** The Python class defining it, as it appears in a `TypeError` message (`BaseModel.search()`). */
  definedOn: string;
  /** Called on a recordset (`write`, `action_post`): the ids come first; otherwise on the model (`create`). */
  onRecords: boolean;
  parameters: readonly MethodParameter[];
  /** `**kwargs`: any named argument is accepted (`message_post`). */
  acceptsAnyKeyword?: boolean;
  run(call: MethodCall): unknown;
}

/** One invocation: the environment, the model, the recordset (ids) and the bound arguments by name. */
export interface MethodCall {
  env: OdooEnvironment;
  model: Model;
  ids: number[];
  args: Record<string, unknown>;
}

/**
 * A method returned records. JSON-2 answers with their ids; JSON-RPC answers the bare id when Python
 * would (`create` given one dict, methods decorated `@api.returns(..., lambda r: r.id)`).
 */
export class RecordsetResult {
  constructor(
    readonly ids: number[],
    readonly returnsSingleId: boolean,
  ) {}
}

export type MethodTable = Record<string, MethodDefinition>;

/** One Odoo model: its fields, its `_order`, its business rules (hooks) and its public methods. */
export interface ModelDefinition {
  name: string;
  /** `_description`: the label Odoo puts in error messages. */
  description: string;
  /** `_order`; `id` when not given. */
  order?: string;
  /** `_rec_name`: the field that names a record; `name` when not given. */
  recName?: string;
  fields: Record<string, FieldDefinition>;
  /** Inherits `mail.thread`: has a chatter and `message_post`. */
  mailThread?: boolean;
  methods?: MethodTable;
  /** Completes and checks one record's values before it is stored (Odoo's `default_get` + `create` override). */
  prepareCreate?(env: OdooEnvironment, values: FieldValues): FieldValues;
  /** Checks (and may adjust) a write before it is applied. */
  prepareWrite?(env: OdooEnvironment, records: StoredRecord[], values: FieldValues): FieldValues;
  /** Refuses a deletion the business rules forbid (a posted journal entry). */
  checkUnlink?(env: OdooEnvironment, records: StoredRecord[]): void;
  displayName?(env: OdooEnvironment, record: StoredRecord): string;
}

/** Fields every Odoo model has. */
const MAGIC_FIELDS: Record<string, FieldDefinition> = {
  id: field.integer('ID', { readonly: true, default: undefined }),
  display_name: field.char('Display Name', { compute: () => undefined }),
  create_date: field.datetime('Created on', { readonly: true }),
  write_date: field.datetime('Last Updated on', { readonly: true }),
};

export interface SearchOptions {
  offset?: number;
  limit?: number | null | false;
  order?: string | null | false;
}

/**
 * The ORM of the sandbox: the generic behaviour of Odoo's `BaseModel` (create/read/write/unlink/search,
 * x2many commands, defaults, computed fields, `active`) applied to one model definition.
 */
export class Model {
  readonly name: string;
  private readonly fields: Record<string, FieldDefinition>;

  constructor(
    readonly definition: ModelDefinition,
    readonly methods: MethodTable,
  ) {
    this.name = definition.name;
    this.fields = { ...MAGIC_FIELDS, ...definition.fields };
  }

  fieldDefinition(fieldName: string): FieldDefinition | undefined {
    return Object.hasOwn(this.fields, fieldName) ? this.fields[fieldName] : undefined;
  }

  get fieldNames(): string[] {
    return Object.keys(this.fields);
  }

  exists(env: OdooEnvironment, id: number): boolean {
    return env.store.find(this.name, id) !== undefined;
  }

  /** The stored record; `MissingError` as Odoo raises it when a record is gone. */
  get(env: OdooEnvironment, id: number): StoredRecord {
    const record = env.store.find(this.name, id);
    if (record === undefined) throw new MissingError(this.name, [id], env.uid);
    return record;
  }

  /** The records among `ids` that exist, in the order given. */
  browseExisting(env: OdooEnvironment, ids: readonly number[]): StoredRecord[] {
    return ids.map((id) => env.store.find(this.name, id)).filter((record): record is StoredRecord => record !== undefined);
  }

  /** Raw value (many2one as id, x2many as ids, computed fields evaluated), as domains and rules see it. */
  valueOf(env: OdooEnvironment, record: StoredRecord, fieldName: string): unknown {
    if (fieldName === 'id') return record.id;
    if (fieldName === 'display_name') return this.displayNameOf(env, record.id);
    const definition = this.fieldDefinition(fieldName);
    if (definition === undefined) throw invalidFieldError(env, this.name, fieldName);
    if (definition.compute !== undefined) return definition.compute(env, record);
    if (definition.type === 'one2many') {
      const related = env.model(definition.relation ?? '');
      return env.store
        .all(related.name)
        .filter((child) => child[definition.inverseName ?? ''] === record.id && (definition.where?.(child) ?? true))
        .map((child) => child.id);
    }
    const stored = record[fieldName];
    if (stored !== undefined && stored !== null) return stored;
    return emptyValueOf(definition);
  }

  displayNameOf(env: OdooEnvironment, id: number): string | false {
    const record = env.store.find(this.name, id);
    if (record === undefined) return false;
    if (this.definition.displayName !== undefined) return this.definition.displayName(env, record);
    const name = record[this.definition.recName ?? 'name'];
    return typeof name === 'string' ? name : `${this.name},${id}`;
  }

  create(env: OdooEnvironment, valuesList: readonly FieldValues[]): number[] {
    return valuesList.map((values) => this.createOne(env, values));
  }

  write(env: OdooEnvironment, ids: readonly number[], values: FieldValues): void {
    const missing = ids.filter((id) => !this.exists(env, id));
    if (missing.length > 0) throw new MissingError(this.name, missing, env.uid);
    this.assertKnownFields(env, values);
    const records = ids.map((id) => this.get(env, id));
    const checked = this.definition.prepareWrite?.(env, records, values) ?? values;
    for (const record of records) this.applyValues(env, record.id, checked, record);
  }

  unlink(env: OdooEnvironment, ids: readonly number[]): void {
    const missing = ids.filter((id) => !this.exists(env, id));
    if (missing.length > 0) throw new MissingError(this.name, missing, env.uid);
    this.definition.checkUnlink?.(env, ids.map((id) => this.get(env, id)));
    for (const id of ids) {
      // One2many children go with their parent (invoice lines, order lines: ondelete cascade), also those the field
      // leaves out (`where`: a document's receivable item), once per child model.
      const cascaded = new Set<string>();
      for (const definition of Object.values(this.fields)) {
        if (definition.type !== 'one2many' || definition.compute !== undefined) continue;
        const related = env.model(definition.relation ?? '');
        const key = `${related.name}.${definition.inverseName ?? ''}`;
        if (cascaded.has(key)) continue;
        cascaded.add(key);
        const childIds = env.store.all(related.name).filter((child) => child[definition.inverseName ?? ''] === id).map((child) => child.id);
        related.unlink(env, childIds);
      }
      env.store.remove(this.name, id);
      this.removeReferencesTo(env, id);
      // Odoo drops the external ids of deleted records.
      for (const binding of env.store.all('ir.model.data')) {
        if (binding.model === this.name && binding.res_id === id) env.store.remove('ir.model.data', binding.id);
      }
    }
  }

  /**
   * What PostgreSQL does with the foreign keys to a deleted row: many2many links go with it (their
   * relation tables cascade), a many2one that still points at it refuses the deletion (`RESTRICT`).
   */
  private removeReferencesTo(env: OdooEnvironment, id: number): void {
    for (const other of env.models.all()) {
      for (const fieldName of other.fieldNames) {
        const definition = other.fieldDefinition(fieldName) as FieldDefinition;
        if (definition.relation !== this.name || definition.compute !== undefined) continue;
        for (const record of env.store.all(other.name)) {
          const value = record[fieldName];
          if (definition.type === 'many2many' && Array.isArray(value) && value.includes(id)) {
            env.store.update(other.name, record.id, { [fieldName]: value.filter((linkedId) => linkedId !== id) });
          } else if (definition.type === 'many2one' && value === id) {
            throw new ValidationError(
              'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
                `Model: ${other.definition.description} (${other.name})\nConstraint: ${other.name.replaceAll('.', '_')}_${fieldName}_fkey`,
            );
          }
        }
      }
    }
  }

  search(env: OdooEnvironment, domain: unknown, options: SearchOptions = {}): number[] {
    const tree = parseDomain(domain ?? []);
    const hidesArchived = this.fieldDefinition('active') !== undefined && env.activeTest && !domainMentionsField(domain, 'active');
    const matching = env.store
      .all(this.name)
      .filter((record) => !hidesArchived || this.valueOf(env, record, 'active') === true)
      .filter((record) => matchesDomain(env, this, record, tree));
    const sorted = sortRecords(env, this, matching, options.order || this.definition.order || 'id');
    const offset = options.offset ?? 0;
    const limit = options.limit || undefined;
    return sorted.slice(offset, limit === undefined ? undefined : offset + limit).map((record) => record.id);
  }

  /** `read()`: ids that do not exist are left out (no error), as recorded in `res.partner.read.missing`. */
  read(env: OdooEnvironment, ids: readonly number[], fieldNames?: readonly string[] | null): FieldValues[] {
    const requested = fieldNames === undefined || fieldNames === null || fieldNames.length === 0
      ? this.fieldNames.filter((fieldName) => fieldName !== 'id')
      : fieldNames.filter((fieldName) => fieldName !== 'id');
    for (const fieldName of requested) {
      if (this.fieldDefinition(fieldName) === undefined) throw invalidFieldError(env, this.name, fieldName);
    }
    return this.browseExisting(env, ids).map((record) => {
      const row: FieldValues = { id: record.id };
      for (const fieldName of requested) row[fieldName] = this.formatForRead(env, record, fieldName);
      return row;
    });
  }

  fieldsGet(allFields?: readonly string[] | null, attributes?: readonly string[] | null): Record<string, unknown> {
    const names = allFields === undefined || allFields === null || allFields.length === 0
      ? this.fieldNames
      : allFields.filter((fieldName) => this.fieldDefinition(fieldName) !== undefined);
    return Object.fromEntries(
      names.map((fieldName) => [fieldName, describeField(this.fields[fieldName] as FieldDefinition, attributes ?? undefined)]),
    );
  }

  private createOne(env: OdooEnvironment, values: FieldValues): number {
    this.assertKnownFields(env, values);
    const withContextDefaults = { ...this.contextDefaults(env), ...values };
    const prepared = this.definition.prepareCreate?.(env, withContextDefaults) ?? withContextDefaults;
    const completed = { ...this.fieldDefaults(env), ...prepared };
    for (const [fieldName, definition] of Object.entries(this.fields)) {
      if (definition.required === true && definition.compute === undefined && isEmptyValue(completed[fieldName]) && definition.type !== 'boolean') {
        throw new ValidationError(
          env.differences.missingRequiredFieldMessage({ name: this.name, description: this.definition.description }, { name: fieldName, string: definition.string }),
        );
      }
    }
    const now = env.now();
    const record = env.store.insert(this.name, { create_date: now, write_date: now });
    this.applyValues(env, record.id, completed, undefined);
    return record.id;
  }

  /** `default_<field>` keys of the context, which Odoo applies before any other default. */
  private contextDefaults(env: OdooEnvironment): FieldValues {
    const defaults: FieldValues = {};
    for (const [fieldName, definition] of Object.entries(this.definition.fields)) {
      const contextDefault = env.context[`default_${fieldName}`];
      if (contextDefault !== undefined && definition.compute === undefined) defaults[fieldName] = contextDefault;
    }
    return defaults;
  }

  private fieldDefaults(env: OdooEnvironment): FieldValues {
    const defaults: FieldValues = {};
    for (const [fieldName, definition] of Object.entries(this.definition.fields)) {
      if (definition.default === undefined || definition.compute !== undefined || definition.type === 'one2many') continue;
      defaults[fieldName] = typeof definition.default === 'function'
        ? (definition.default as (env: OdooEnvironment) => unknown)(env)
        : structuredClone(definition.default);
    }
    return defaults;
  }

  private assertKnownFields(env: OdooEnvironment, values: FieldValues): void {
    for (const fieldName of Object.keys(values)) {
      if (this.fieldDefinition(fieldName) === undefined) throw invalidFieldError(env, this.name, fieldName);
    }
  }

  /** Converts and stores `values` on record `id`; one2many commands run once the record exists. */
  private applyValues(env: OdooEnvironment, id: number, values: FieldValues, current: StoredRecord | undefined): void {
    const stored: FieldValues = {};
    const childCommands: Array<[FieldDefinition, unknown]> = [];
    for (const [fieldName, value] of Object.entries(values)) {
      const definition = this.fieldDefinition(fieldName) as FieldDefinition;
      // Computed fields without inverse and the ORM's own columns ignore writes, as in Odoo.
      if (definition.compute !== undefined || Object.hasOwn(MAGIC_FIELDS, fieldName)) continue;
      if (definition.type === 'one2many') childCommands.push([definition, value]);
      else stored[fieldName] = this.convertForStorage(env, fieldName, definition, value, current?.[fieldName]);
    }
    env.store.update(this.name, id, { ...stored, write_date: env.now() });
    for (const [definition, commands] of childCommands) applyOne2manyCommands(env, definition, id, commands);
  }

  private convertForStorage(env: OdooEnvironment, fieldName: string, definition: FieldDefinition, value: unknown, current: unknown): unknown {
    switch (definition.type) {
      case 'many2one': {
        if (isEmptyValue(value)) return false;
        const id = Number(value);
        const relation = env.model(definition.relation ?? '');
        if (!Number.isInteger(id) || !relation.exists(env, id)) {
          throw new ValidationError(
            `The operation cannot be completed: ${definition.string} (${this.name}.${fieldName}) ` +
              `refers to ${relation.name}(${String(value)},), which does not exist.`,
          );
        }
        return id;
      }
      case 'many2many':
        return applyMany2manyCommands(env, definition, Array.isArray(current) ? (current as number[]) : [], value);
      case 'integer':
        return isEmptyValue(value) ? 0 : Math.trunc(Number(value));
      case 'float':
      case 'monetary':
        return isEmptyValue(value) ? 0 : Number(value);
      case 'boolean':
        return Boolean(value);
      case 'selection':
        if (isEmptyValue(value)) return false;
        if (!definition.selection?.some(([option]) => option === value)) {
          throw new PythonValueError(`Wrong value for ${this.name}.${fieldName}: ${pythonRepr(value)}`);
        }
        return value;
      case 'date':
        if (isEmptyValue(value)) return false;
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
          throw new PythonValueError(`time data ${pythonRepr(value)} does not match format '%Y-%m-%d'`);
        }
        return value;
      default:
        return isEmptyValue(value) ? false : String(value);
    }
  }

  private formatForRead(env: OdooEnvironment, record: StoredRecord, fieldName: string): unknown {
    const definition = this.fieldDefinition(fieldName) as FieldDefinition;
    const value = this.valueOf(env, record, fieldName);
    switch (definition.type) {
      case 'many2one': {
        if (typeof value !== 'number') return false;
        const name = env.model(definition.relation ?? '').displayNameOf(env, value);
        return name === false ? false : [value, name];
      }
      case 'one2many':
      case 'many2many':
        return Array.isArray(value) ? value : [];
      case 'integer':
      case 'float':
      case 'monetary':
        return typeof value === 'number' ? value : 0;
      case 'boolean':
        return value === true;
      default:
        return isEmptyValue(value) ? false : value;
    }
  }
}

function emptyValueOf(definition: FieldDefinition): unknown {
  switch (definition.type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'many2many':
    case 'one2many':
      return [];
    default:
      return false;
  }
}

/** The message differs between versions (`on model` in 18.0, `in` from 19.0), as recorded in the unknown-field cases. */
export function invalidFieldError(env: OdooEnvironment, model: string, fieldName: string): PythonValueError {
  return new PythonValueError(
    env.version === '18.0' ? `Invalid field '${fieldName}' on model '${model}'` : `Invalid field '${fieldName}' in '${model}'`,
  );
}

/** Odoo's x2many write commands, `Command.create/update/delete/unlink/link/clear/set`, by number. */
const X2manyCommand = { Create: 0, Update: 1, Delete: 2, Unlink: 3, Link: 4, Clear: 5, Set: 6 } as const;

/** Normalizes a plain id list (accepted by Odoo for x2many) into the equivalent `Set` command. */
function asCommands(value: unknown): unknown[][] {
  if (isEmptyValue(value)) return [];
  if (!Array.isArray(value)) throw new PythonValueError(`Wrong value for an x2many field: ${pythonRepr(value)}`);
  if (value.every((item) => typeof item === 'number')) return [[X2manyCommand.Set, 0, value]];
  return value.map((command) => {
    if (!Array.isArray(command) || typeof command[0] !== 'number') throw new PythonValueError(`Invalid x2many command ${pythonRepr(command)}`);
    return command;
  });
}

function applyMany2manyCommands(env: OdooEnvironment, definition: FieldDefinition, current: number[], value: unknown): number[] {
  const related = env.model(definition.relation ?? '');
  let linked = [...current];
  for (const [code, id, payload] of asCommands(value) as Array<[number, number, unknown]>) {
    switch (code) {
      case X2manyCommand.Create:
        linked.push(...related.create(env, [payload as FieldValues]));
        break;
      case X2manyCommand.Update:
        related.write(env, [id], payload as FieldValues);
        break;
      case X2manyCommand.Delete:
        related.unlink(env, [id]);
        linked = linked.filter((linkedId) => linkedId !== id);
        break;
      case X2manyCommand.Unlink:
        linked = linked.filter((linkedId) => linkedId !== id);
        break;
      case X2manyCommand.Link:
        related.get(env, id);
        if (!linked.includes(id)) linked.push(id);
        break;
      case X2manyCommand.Clear:
        linked = [];
        break;
      case X2manyCommand.Set:
        for (const linkedId of payload as number[]) related.get(env, linkedId);
        linked = [...new Set(payload as number[])];
        break;
      default:
        throw new PythonValueError(`Invalid x2many command ${pythonRepr([code, id, payload])}`);
    }
  }
  return linked;
}

function applyOne2manyCommands(env: OdooEnvironment, definition: FieldDefinition, parentId: number, value: unknown): void {
  const related = env.model(definition.relation ?? '');
  const inverse = definition.inverseName ?? '';
  const children = (): number[] =>
    env.store.all(related.name).filter((child) => child[inverse] === parentId && (definition.where?.(child) ?? true)).map((child) => child.id);
  for (const [code, id, payload] of asCommands(value) as Array<[number, number, unknown]>) {
    switch (code) {
      case X2manyCommand.Create:
        related.create(env, [{ ...(payload as FieldValues), [inverse]: parentId }]);
        break;
      case X2manyCommand.Update:
        related.write(env, [id], payload as FieldValues);
        break;
      // The children of the sandbox's one2many (lines) cannot exist without their parent: removing the
      // link deletes them, as Odoo does for a required inverse with ondelete='cascade'.
      case X2manyCommand.Delete:
      case X2manyCommand.Unlink:
        related.unlink(env, [id]);
        break;
      case X2manyCommand.Link:
        related.write(env, [id], { [inverse]: parentId });
        break;
      case X2manyCommand.Clear:
        related.unlink(env, children());
        break;
      case X2manyCommand.Set: {
        const wanted = payload as number[];
        related.unlink(env, children().filter((childId) => !wanted.includes(childId)));
        related.write(env, wanted, { [inverse]: parentId });
        break;
      }
      default:
        throw new PythonValueError(`Invalid x2many command ${pythonRepr([code, id, payload])}`);
    }
  }
}

/** Python's repr of a JSON value, for error messages: strings in single quotes, booleans capitalized. */
export function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([key, item]) => `'${key}': ${pythonRepr(item)}`).join(', ')}}`;
  return String(value);
}
