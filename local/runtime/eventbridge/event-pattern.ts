import { BlockList, isIP } from 'node:net';

/**
 * EventBridge event-pattern matching, hand-written because the reference implementation (aws/event-ruler)
 * is a Java library and no npm package implements the full content-filter grammar (`wildcard`,
 * `anything-but` with `suffix`/`equals-ignore-case`, `$or`). The semantics follow the EventBridge user
 * guide and the event-ruler README:
 *
 * - every field named in the pattern must match (AND); the values listed for one field are alternatives (OR);
 * - a pattern value that is an object descends into the event; a pattern value that is an array lists matchers;
 * - when the event value is an array, the field matches if any element matches;
 * - only leaf values (not objects) count for matching and for `exists`.
 */

export type EventPattern = { readonly [field: string]: unknown };

export class InvalidEventPatternError extends Error {
  constructor(message: string, readonly path: string) {
    super(`${message} at ${path || '<root>'}`);
    this.name = 'InvalidEventPatternError';
  }
}

const OPERATOR_NAMES = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);

/** Accepts the pattern as the API takes it (a JSON string) or as CloudFormation holds it (an object). */
export function parseEventPattern(pattern: string | EventPattern): EventPattern {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError('An event pattern must be a JSON object', '');
  validatePatternObject(parsed, '');
  return parsed;
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchesPatternObject(pattern, event);
}

// ---------------------------------------------------------------------------------------------------
// Validation: rejecting an unknown operator up front, as PutRule does, instead of silently never matching.

function validatePatternObject(pattern: Record<string, unknown>, path: string): void {
  for (const [field, value] of Object.entries(pattern)) {
    const fieldPath = path ? `${path}.${field}` : field;
    if (isOrClause(field, value)) {
      value.forEach((alternative, index) => validatePatternObject(alternative, `${fieldPath}[${index}]`));
    } else if (Array.isArray(value)) {
      value.forEach((matcher, index) => validateMatcher(matcher, `${fieldPath}[${index}]`));
    } else if (isPlainObject(value)) {
      validatePatternObject(value, fieldPath);
    } else {
      throw new InvalidEventPatternError('A pattern field must be an array of matchers or an object', fieldPath);
    }
  }
}

function validateMatcher(matcher: unknown, path: string): void {
  if (!isPlainObject(matcher)) return; // an exact value: string, number, boolean or null
  const operators = Object.keys(matcher);
  if (operators.length !== 1 || !OPERATOR_NAMES.has(operators[0] ?? '')) {
    throw new InvalidEventPatternError(`Unknown matcher ${JSON.stringify(matcher)}`, path);
  }
  if (matcher['numeric'] !== undefined) readNumericConditions(matcher['numeric'], path);
  if (matcher['exists'] !== undefined && typeof matcher['exists'] !== 'boolean') {
    throw new InvalidEventPatternError('exists takes true or false', path);
  }
}

// ---------------------------------------------------------------------------------------------------
// Matching

function matchesPatternObject(pattern: Record<string, unknown>, eventNode: unknown): boolean {
  return Object.entries(pattern).every(([field, patternValue]) => {
    if (isOrClause(field, patternValue)) {
      return patternValue.some((alternative) => matchesPatternObject(alternative, eventNode));
    }
    const eventValue = isPlainObject(eventNode) ? eventNode[field] : undefined;
    if (Array.isArray(patternValue)) return matchesLeaf(patternValue, eventValue);
    return matchesNestedPattern(patternValue as Record<string, unknown>, eventValue);
  });
}

/** An object in the pattern descends; an array of objects in the event matches if one element does. */
function matchesNestedPattern(pattern: Record<string, unknown>, eventValue: unknown): boolean {
  if (Array.isArray(eventValue)) {
    const objects = eventValue.filter(isPlainObject);
    if (objects.length > 0) return objects.some((element) => matchesPatternObject(pattern, element));
  }
  return matchesPatternObject(pattern, isPlainObject(eventValue) ? eventValue : undefined);
}

function matchesLeaf(matchers: readonly unknown[], eventValue: unknown): boolean {
  const leafValues = leafValuesOf(eventValue);
  return matchers.some((matcher) => {
    if (isPlainObject(matcher) && typeof matcher['exists'] === 'boolean') {
      return matcher['exists'] === leafValues.length > 0;
    }
    return leafValues.some((value) => matchesValue(matcher, value));
  });
}

type LeafValue = string | number | boolean | null;

/** Objects are intermediate nodes, not leaves: `exists` and value matchers ignore them. */
function leafValuesOf(eventValue: unknown): LeafValue[] {
  if (eventValue === undefined) return [];
  const values = Array.isArray(eventValue) ? eventValue.flat(Infinity) : [eventValue];
  return values.filter((value): value is LeafValue => !isPlainObject(value) && value !== undefined);
}

function matchesValue(matcher: unknown, value: LeafValue): boolean {
  if (!isPlainObject(matcher)) return matchesExactly(matcher, value);
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return matchesStringTest(operand, value, (text, expected) => text.startsWith(expected));
    case 'suffix':
      return matchesStringTest(operand, value, (text, expected) => text.endsWith(expected));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && equalsIgnoringCase(value, operand);
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardToRegExp(operand).test(value);
    case 'anything-but':
      return matchesAnythingBut(operand, value);
    case 'numeric':
      return typeof value === 'number' && satisfiesNumericConditions(readNumericConditions(operand, ''), value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && isInCidr(value, operand);
    default:
      return false;
  }
}

/** Numbers compare by value (`3.018e2` equals `301.8`); a string never equals a number. */
function matchesExactly(expected: unknown, value: LeafValue): boolean {
  return expected === value;
}

/** `prefix`/`suffix` take a string, or `{ "equals-ignore-case": string }` for the case-insensitive variant. */
function matchesStringTest(
  operand: unknown,
  value: LeafValue,
  test: (text: string, expected: string) => boolean,
): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand);
  if (isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  return false;
}

function matchesAnythingBut(operand: unknown, value: LeafValue): boolean {
  if (!isPlainObject(operand)) {
    const excluded = Array.isArray(operand) ? operand : [operand];
    return !excluded.some((excludedValue) => matchesExactly(excludedValue, value));
  }
  // The object forms (prefix, suffix, equals-ignore-case, wildcard) only ever test strings.
  if (typeof value !== 'string') return false;
  const [operator, nested] = Object.entries(operand)[0] ?? [];
  const nestedValues = Array.isArray(nested) ? nested : [nested];
  return !nestedValues.some((excluded) => matchesValue({ [operator ?? '']: excluded }, value));
}

function equalsIgnoringCase(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase();
}

/** `*` matches any run of characters; `\*` is a literal asterisk and `\\` a literal backslash. */
function wildcardToRegExp(wildcard: string): RegExp {
  let source = '';
  for (let index = 0; index < wildcard.length; index += 1) {
    const character = wildcard[index] ?? '';
    if (character === '\\' && index + 1 < wildcard.length) {
      index += 1;
      source += escapeForRegExp(wildcard[index] ?? '');
    } else if (character === '*') {
      source += '.*';
    } else {
      source += escapeForRegExp(character);
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

type NumericComparison = '=' | '<' | '<=' | '>' | '>=';
interface NumericCondition {
  readonly comparison: NumericComparison;
  readonly bound: number;
}
const NUMERIC_COMPARISONS = new Set<string>(['=', '<', '<=', '>', '>=']);

function readNumericConditions(operand: unknown, path: string): NumericCondition[] {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidEventPatternError('numeric takes pairs of [comparison, number]', path);
  }
  const conditions: NumericCondition[] = [];
  for (let index = 0; index < operand.length; index += 2) {
    const comparison: unknown = operand[index];
    const bound: unknown = operand[index + 1];
    if (typeof comparison !== 'string' || !NUMERIC_COMPARISONS.has(comparison) || typeof bound !== 'number') {
      throw new InvalidEventPatternError(`Invalid numeric condition ${JSON.stringify(operand)}`, path);
    }
    conditions.push({ comparison: comparison as NumericComparison, bound });
  }
  return conditions;
}

function satisfiesNumericConditions(conditions: readonly NumericCondition[], value: number): boolean {
  return conditions.every(({ comparison, bound }) => {
    switch (comparison) {
      case '=':
        return value === bound;
      case '<':
        return value < bound;
      case '<=':
        return value <= bound;
      case '>':
        return value > bound;
      case '>=':
        return value >= bound;
    }
  });
}

function isInCidr(address: string, cidr: string): boolean {
  const [network, prefixLength] = cidr.split('/');
  const family = isIP(address);
  if (!network || family === 0 || isIP(network) !== family) return false;
  const block = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  block.addSubnet(network, Number(prefixLength ?? (family === 4 ? 32 : 128)), type);
  return block.check(address, type);
}

/**
 * `"$or": [ {...}, {...} ]` is an OR of sub-patterns only when it holds objects that are not matchers;
 * otherwise event-ruler keeps treating `$or` as an ordinary field name, and so do we.
 */
function isOrClause(field: string, value: unknown): value is Record<string, unknown>[] {
  return (
    field === '$or' &&
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((alternative) => isPlainObject(alternative) && !Object.keys(alternative).some((key) => OPERATOR_NAMES.has(key)))
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
