import { PythonValueError } from '../odoo-errors';
import type { StoredRecord } from '../store';
import type { OdooEnvironment } from './environment';
import { isEmptyValue } from './fields';
import type { Model } from './model';

/**
 * Odoo search domains: prefix (Polish) notation, `&` `|` binary, `!` unary, consecutive terms
 * implicitly AND-ed; leaves `[field_path, operator, value]`. Evaluated against stored records, since
 * the sandbox has no SQL underneath.
 */
type DomainNode =
  | { kind: 'and' | 'or'; left: DomainNode; right: DomainNode }
  | { kind: 'not'; operand: DomainNode }
  | { kind: 'leaf'; path: string; operator: string; value: unknown; term: unknown[] }
  | { kind: 'constant'; value: boolean };

const OPERATORS = new Set([
  '=', '!=', '<>', '<', '>', '<=', '>=', 'in', 'not in', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'child_of', 'parent_of',
]);

export function parseDomain(domain: unknown): DomainNode {
  if (!Array.isArray(domain)) throw new PythonValueError(`Invalid domain: ${JSON.stringify(domain)}`);
  const terms: DomainNode[] = [];
  let position = 0;
  const parseTerm = (): DomainNode => {
    if (position >= domain.length) throw new PythonValueError(`Invalid domain: ${JSON.stringify(domain)} (an operator lacks its operands)`);
    const item: unknown = domain[position++];
    if (item === '&' || item === '|') {
      const left = parseTerm();
      const right = parseTerm();
      return { kind: item === '&' ? 'and' : 'or', left, right };
    }
    if (item === '!') return { kind: 'not', operand: parseTerm() };
    return parseLeaf(item);
  };
  while (position < domain.length) terms.push(parseTerm());
  if (terms.length === 0) return { kind: 'constant', value: true };
  return terms.reduce((left, right) => ({ kind: 'and', left, right }));
}

function parseLeaf(item: unknown): DomainNode {
  if (!Array.isArray(item) || item.length !== 3) throw new PythonValueError(`Invalid leaf ${JSON.stringify(item)}`);
  const [path, operator, value] = item as [unknown, unknown, unknown];
  // Odoo's TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1).
  if (typeof path === 'number' && operator === '=' && value === 1) return { kind: 'constant', value: path === 1 };
  const normalizedOperator = typeof operator === 'string' ? operator.toLowerCase() : '';
  if (typeof path !== 'string' || !OPERATORS.has(normalizedOperator)) {
    throw new PythonValueError(`Invalid leaf ${JSON.stringify(item)}`);
  }
  return { kind: 'leaf', path, operator: normalizedOperator === '<>' ? '!=' : normalizedOperator, value, term: item };
}

/** Whether the domain names `field` in one of its leaves (Odoo then skips the implicit `active` filter). */
export function domainMentionsField(domain: unknown, fieldName: string): boolean {
  return Array.isArray(domain) && domain.some((item) => Array.isArray(item) && item[0] === fieldName);
}

export function matchesDomain(env: OdooEnvironment, model: Model, record: StoredRecord, node: DomainNode): boolean {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'and':
      return matchesDomain(env, model, record, node.left) && matchesDomain(env, model, record, node.right);
    case 'or':
      return matchesDomain(env, model, record, node.left) || matchesDomain(env, model, record, node.right);
    case 'not':
      return !matchesDomain(env, model, record, node.operand);
    case 'leaf':
      return matchesLeaf(env, model, record, node);
  }
}

function matchesLeaf(
  env: OdooEnvironment,
  model: Model,
  record: StoredRecord,
  leaf: Extract<DomainNode, { kind: 'leaf' }>,
): boolean {
  const [fieldName = '', ...restOfPath] = leaf.path.split('.');
  const definition = fieldName === 'id' ? undefined : model.fieldDefinition(fieldName);
  if (fieldName !== 'id' && definition === undefined) {
    throw new PythonValueError(`Invalid field ${model.name}.${fieldName} in leaf ${pythonTerm(leaf.term)}`);
  }
  const value = fieldName === 'id' ? record.id : model.valueOf(env, record, fieldName);

  if (restOfPath.length > 0 && definition?.relation === undefined) {
    throw new PythonValueError(`Invalid field ${model.name}.${leaf.path} in leaf ${pythonTerm(leaf.term)}`);
  }
  // A path through a relation (`partner_id.email`): the related records must match the rest of it.
  if (restOfPath.length > 0 && definition?.relation !== undefined) {
    const relation = definition.relation;
    const matchingIds = memoizedForLeaf(leaf, () => {
      const subDomain = [[restOfPath.join('.'), leaf.operator, leaf.value]];
      return new Set(env.model(relation).search(env.withContext({ active_test: false }), subDomain));
    });
    return relatedIds(value).some((id) => matchingIds.has(id));
  }

  if ((definition?.type === 'one2many' || definition?.type === 'many2many') && definition.relation !== undefined) {
    return matchesToMany(env, definition.relation, relatedIds(value), leaf.operator, leaf.value);
  }
  if (definition?.type === 'many2one' && definition.relation !== undefined && (typeof leaf.value === 'string' || leaf.operator.includes('like'))) {
    // Searching a many2one with text compares against the related record's display name.
    const relatedName = value === false ? false : env.model(definition.relation).displayNameOf(env, Number(value));
    return compareScalar(relatedName, leaf.operator, leaf.value);
  }
  if (leaf.operator === 'child_of' || leaf.operator === 'parent_of') {
    return compareScalar(record.id, 'in', hierarchyIds(env, model, leaf.value, leaf.operator));
  }
  return compareScalar(value, leaf.operator, leaf.value);
}

/** The related ids matching a dotted leaf, searched once per parsed domain rather than once per record. */
const relatedMatchesByLeaf = new WeakMap<object, Set<number>>();

function memoizedForLeaf(leaf: object, search: () => Set<number>): Set<number> {
  let matches = relatedMatchesByLeaf.get(leaf);
  if (matches === undefined) {
    matches = search();
    relatedMatchesByLeaf.set(leaf, matches);
  }
  return matches;
}

function relatedIds(value: unknown): number[] {
  if (Array.isArray(value)) return value as number[];
  return typeof value === 'number' ? [value] : [];
}

/** x2many leaves: `=`/`in` hold when any linked record matches, negations when none does. */
function matchesToMany(env: OdooEnvironment, relation: string, linkedIds: number[], operator: string, expected: unknown): boolean {
  const related = env.model(relation);
  const linkedValues: unknown[] = operator.includes('like') || typeof expected === 'string'
    ? linkedIds.map((id) => related.displayNameOf(env, id))
    : linkedIds;
  if (isEmptyValue(expected) && (operator === '=' || operator === '!=')) {
    return operator === '=' ? linkedIds.length === 0 : linkedIds.length > 0;
  }
  const negated = operator === '!=' || operator === 'not in' || operator === 'not like' || operator === 'not ilike';
  const positiveOperator = negated ? positiveOf(operator) : operator;
  const anyMatches = linkedValues.some((linked) => compareScalar(linked, positiveOperator, expected));
  return negated ? !anyMatches : anyMatches;
}

function positiveOf(operator: string): string {
  return { '!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike' }[operator] ?? operator;
}

/** `child_of`: the given records and their descendants; `parent_of`: the given records and their ancestors. */
function hierarchyIds(env: OdooEnvironment, model: Model, value: unknown, operator: string): number[] {
  const parentById = new Map<number, number | false>(
    env.store.all(model.name).map((record) => [record.id, (model.valueOf(env, record, 'parent_id') as number | false) ?? false]),
  );
  const ancestorsOf = (id: number): number[] => {
    const chain: number[] = [];
    for (let parent = parentById.get(id) ?? false; parent !== false && !chain.includes(parent); parent = parentById.get(parent) ?? false) {
      chain.push(parent);
    }
    return chain;
  };
  const startIds = relatedIds(value);
  if (operator === 'parent_of') return [...new Set(startIds.flatMap((id) => [id, ...ancestorsOf(id)]))];
  return [...parentById.keys()].filter((id) => startIds.includes(id) || ancestorsOf(id).some((ancestor) => startIds.includes(ancestor)));
}

function compareScalar(actual: unknown, operator: string, expected: unknown): boolean {
  switch (operator) {
    case '=':
      return isEmptyValue(expected) ? isEmptyValue(actual) : actual === expected;
    case '!=':
      return isEmptyValue(expected) ? !isEmptyValue(actual) : actual !== expected;
    case 'in':
    case 'not in': {
      const candidates = Array.isArray(expected) ? expected : [expected];
      const found = candidates.some((candidate) => (isEmptyValue(candidate) ? isEmptyValue(actual) : candidate === actual));
      return operator === 'in' ? found : !found;
    }
    case '<':
    case '>':
    case '<=':
    case '>=':
      return isEmptyValue(actual) && actual !== 0 ? false : compareOrdered(actual, operator, expected);
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike': {
      // Odoo wraps the value in `%...%`: a substring match (`%` and `_` inside still act as wildcards).
      const found = typeof actual === 'string' && likePattern(`%${String(expected)}%`, operator.endsWith('ilike')).test(actual);
      return operator.startsWith('not') ? !found : found;
    }
    case '=like':
    case '=ilike':
      return typeof actual === 'string' && likePattern(String(expected), operator === '=ilike').test(actual);
    default:
      throw new PythonValueError(`Invalid operator ${operator}`);
  }
}

function compareOrdered(actual: unknown, operator: string, expected: unknown): boolean {
  const left = actual as number | string;
  const right = expected as number | string;
  if (operator === '<') return left < right;
  if (operator === '>') return left > right;
  if (operator === '<=') return left <= right;
  return left >= right;
}

function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern
    .split('')
    .map((character) => (character === '%' ? '.*' : character === '_' ? '.' : character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

/** A leaf as Python prints it in error messages: `('x_nope', '=', 1)`. */
function pythonTerm(term: unknown[]): string {
  return `(${term.map((part) => (typeof part === 'string' ? `'${part}'` : JSON.stringify(part))).join(', ')})`;
}
