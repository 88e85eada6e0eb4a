import { PythonValueError } from '../odoo-errors';
import type { StoredRecord } from '../store';
import type { OdooEnvironment } from './environment';
import { isEmptyValue } from './fields';
import type { Model } from './model';

interface OrderTerm {
  fieldName: string;
  descending: boolean;
}

/**
 * Sorts records by an Odoo `order` spec (`"date desc, name desc"`), the model's `_order` when none is
 * given. Like PostgreSQL, empty values sort last ascending and first descending; many2one fields sort by
 * the related record's display name (Odoo sorts by the related `_order`, which is the name for most
 * models). Ties end by ascending id so results are stable.
 */
export function sortRecords(env: OdooEnvironment, model: Model, records: StoredRecord[], order: string): StoredRecord[] {
  const terms = parseOrder(model, order);
  const sortKey = (record: StoredRecord, term: OrderTerm): unknown => {
    if (term.fieldName === 'id') return record.id;
    const value = model.valueOf(env, record, term.fieldName);
    const definition = model.fieldDefinition(term.fieldName);
    if (definition?.type === 'many2one' && definition.relation !== undefined && typeof value === 'number') {
      return env.model(definition.relation).displayNameOf(env, value);
    }
    // `false` is a value for a boolean field and NULL for any other.
    if (definition?.type === 'boolean') return Number(value === true);
    return value;
  };
  return [...records].sort((left, right) => {
    for (const term of terms) {
      const comparison = compareValues(sortKey(left, term), sortKey(right, term), term.descending);
      if (comparison !== 0) return comparison;
    }
    return left.id - right.id;
  });
}

function parseOrder(model: Model, order: string): OrderTerm[] {
  return order
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const match = /^([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(?:first|last))?$/i.exec(part);
      const fieldName = match?.[1];
      if (fieldName === undefined || (fieldName !== 'id' && model.fieldDefinition(fieldName) === undefined)) {
        throw new PythonValueError(
          `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names ` +
            '(optionally followed by asc/desc for the direction)',
        );
      }
      return { fieldName, descending: match?.[2]?.toLowerCase() === 'desc' };
    });
}

function compareValues(left: unknown, right: unknown, descending: boolean): number {
  const leftEmpty = isEmptyValue(left) && left !== 0;
  const rightEmpty = isEmptyValue(right) && right !== 0;
  if (leftEmpty || rightEmpty) {
    if (leftEmpty && rightEmpty) return 0;
    // NULLS LAST ascending, NULLS FIRST descending: empties are "greater" than anything.
    const emptyIsGreater = leftEmpty ? 1 : -1;
    return descending ? -emptyIsGreater : emptyIsGreater;
  }
  let comparison = 0;
  if (typeof left === 'string' && typeof right === 'string') comparison = left.localeCompare(right);
  else if ((left as number) < (right as number)) comparison = -1;
  else if ((left as number) > (right as number)) comparison = 1;
  return descending ? -comparison : comparison;
}
