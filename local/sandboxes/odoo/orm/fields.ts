import type { OdooEnvironment } from './environment';
import type { StoredRecord } from '../store';

export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many';

/**
 * A field as `fields_get` describes it, plus what the sandbox needs to store, default and compute it.
 * Stored values: many2one = id or `false`, many2many = id list; one2many are never stored (they are
 * the records whose `inverseName` many2one points back).
 */
export interface FieldDefinition {
  type: FieldType;
  string: string;
  relation?: string;
  /** one2many: the many2one field on `relation` that points back to this record. */
  inverseName?: string;
  selection?: ReadonlyArray<readonly [string, string]>;
  required?: boolean;
  readonly?: boolean;
  default?: unknown | ((env: OdooEnvironment) => unknown);
  /** one2many: only the children this accepts belong to the field (Odoo's `domain` on an x2many). */
  where?: (child: StoredRecord) => boolean;
  /** A computed, non-stored field: evaluated on every read and search. Writes to it are ignored. */
  compute?: (env: OdooEnvironment, record: StoredRecord) => unknown;
}

type FieldOptions = Omit<FieldDefinition, 'type' | 'string' | 'relation' | 'inverseName' | 'selection'>;

/** Builders that read like Odoo's `fields.Char(...)` declarations. */
export const field = {
  char: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'char', string, ...options }),
  text: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'text', string, ...options }),
  html: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'html', string, ...options }),
  integer: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'integer', string, default: 0, ...options }),
  float: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'float', string, default: 0, ...options }),
  monetary: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'monetary', string, default: 0, ...options }),
  boolean: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'boolean', string, default: false, ...options }),
  date: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'date', string, ...options }),
  datetime: (string: string, options: FieldOptions = {}): FieldDefinition => ({ type: 'datetime', string, ...options }),
  selection: (
    string: string,
    selection: ReadonlyArray<readonly [string, string]>,
    options: FieldOptions = {},
  ): FieldDefinition => ({ type: 'selection', string, selection, ...options }),
  many2one: (string: string, relation: string, options: FieldOptions = {}): FieldDefinition => ({
    type: 'many2one',
    string,
    relation,
    ...options,
  }),
  one2many: (string: string, relation: string, inverseName: string, options: FieldOptions = {}): FieldDefinition => ({
    type: 'one2many',
    string,
    relation,
    inverseName,
    ...options,
  }),
  many2many: (string: string, relation: string, options: FieldOptions = {}): FieldDefinition => ({
    type: 'many2many',
    string,
    relation,
    default: [],
    ...options,
  }),
};

export function isToMany(definition: FieldDefinition): boolean {
  return definition.type === 'one2many' || definition.type === 'many2many';
}

/** Odoo answers `false` for an empty char/date/many2one, never `null` or `""`. */
export function isEmptyValue(value: unknown): boolean {
  return value === false || value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The `fields_get` description of a field, limited to `attributes` when given. */
export function describeField(definition: FieldDefinition, attributes: readonly string[] | undefined): Record<string, unknown> {
  const description: Record<string, unknown> = {
    type: definition.type,
    string: definition.string,
    required: definition.required ?? false,
    readonly: definition.readonly ?? definition.compute !== undefined,
    store: definition.compute === undefined && definition.type !== 'one2many',
    searchable: true,
    sortable: definition.compute === undefined && !isToMany(definition),
  };
  if (definition.relation !== undefined) description.relation = definition.relation;
  if (definition.inverseName !== undefined) description.relation_field = definition.inverseName;
  if (definition.selection !== undefined) description.selection = definition.selection.map(([value, label]) => [value, label]);
  if (attributes === undefined || attributes.length === 0) return description;
  return Object.fromEntries(Object.entries(description).filter(([attribute]) => attributes.includes(attribute)));
}
