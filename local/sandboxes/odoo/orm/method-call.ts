import { AccessError, BadArgumentsError, PythonValueError, UnknownMethodError, UnknownModelError } from '../odoo-errors';
import type { OdooVersion } from '../server-version';
import type { OdooStore } from '../store';
import { OdooEnvironment, type ModelLookup, type OdooContext } from './environment';
import { RecordsetResult, type MethodDefinition } from './model';

/** A model method call as both transports hand it over, before binding to the Python signature. */
export interface ModelMethodRequest {
  model: string;
  method: string;
  /** The recordset the method runs on (JSON-RPC: first positional argument; JSON-2: `ids`). */
  ids: number[];
  positional: readonly unknown[];
  named: Record<string, unknown>;
  context: OdooContext;
}

export interface OdooDatabase {
  store: OdooStore;
  models: ModelLookup;
  version: OdooVersion;
}

/**
 * Runs one RPC call in its own transaction: resolves the model and method, binds the arguments the way
 * Python would (same `TypeError` on a bad call), and rolls everything back if the method fails.
 */
export function callModelMethod(database: OdooDatabase, uid: number, request: ModelMethodRequest): unknown {
  const model = database.models.find(request.model);
  if (model === undefined) throw new UnknownModelError(request.model);
  if (request.method.startsWith('_')) {
    throw new AccessError(`Private methods (such as ${request.model}.${request.method}) cannot be called remotely.`);
  }
  const method = Object.hasOwn(model.methods, request.method) ? model.methods[request.method] : undefined;
  if (method === undefined) throw new UnknownMethodError(request.model, request.method);
  const args = bindArguments(request.method, method, request.positional, request.named);
  const env = new OdooEnvironment(database.store, database.models, database.version, uid, request.context);
  return database.store.transaction(() => method.run({ env, model, ids: request.ids, args }));
}

/** The recordset of a call: Odoo accepts one id or a list of ids; nothing means the empty recordset. */
export function recordIdsFrom(value: unknown): number[] {
  if (value === undefined || value === null || value === false) return [];
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value) && value.every((id) => Number.isInteger(id))) return value as number[];
  throw new PythonValueError(`Invalid record ids: ${JSON.stringify(value)}`);
}

/** A JSON object of named arguments or a context; anything else (a list, a scalar) carries none. */
export function namedValuesFrom(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A result as JSON-RPC sends it: records become their id list, or the bare id where Python returns one. */
export function jsonRpcResult(result: unknown): unknown {
  if (!(result instanceof RecordsetResult)) return result;
  return result.returnsSingleId ? (result.ids[0] ?? false) : result.ids;
}

/** A result as JSON-2 sends it: records are always their id list. */
export function json2Result(result: unknown): unknown {
  return result instanceof RecordsetResult ? result.ids : result;
}

/**
 * Python's argument binding for `method(self, *positional, **named)`, with the messages of both
 * `TypeError` (JSON-RPC) and `inspect.Signature.bind` (JSON-2).
 */
function bindArguments(
  methodName: string,
  method: MethodDefinition,
  positional: readonly unknown[],
  named: Record<string, unknown>,
): Record<string, unknown> {
  const qualifiedName = `${method.definedOn}.${methodName}()`;
  const parameters = method.parameters;
  if (positional.length > parameters.length) {
    const required = parameters.filter((parameter) => parameter.required === true).length;
    const accepted = required === parameters.length ? `${parameters.length + 1}` : `from ${required + 1} to ${parameters.length + 1}`;
    const plural = parameters.length === 0 && required === 0 ? 'argument' : 'arguments';
    throw new BadArgumentsError(
      `${qualifiedName} takes ${accepted} positional ${plural} but ${positional.length + 1} were given`,
      'too many positional arguments',
    );
  }
  const bound: Record<string, unknown> = {};
  positional.forEach((value, index) => {
    bound[(parameters[index] as { name: string }).name] = value;
  });
  for (const [name, value] of Object.entries(named)) {
    const known = parameters.some((parameter) => parameter.name === name);
    if (!known && method.acceptsAnyKeyword !== true) {
      throw new BadArgumentsError(`${qualifiedName} got an unexpected keyword argument '${name}'`, `got an unexpected keyword argument '${name}'`);
    }
    if (Object.hasOwn(bound, name)) {
      throw new BadArgumentsError(`${qualifiedName} got multiple values for argument '${name}'`, `multiple values for argument '${name}'`);
    }
    bound[name] = value;
  }
  const missing = parameters
    .filter((parameter) => parameter.required === true && !Object.hasOwn(bound, parameter.name))
    .map((parameter) => parameter.name);
  const [firstMissing] = missing;
  if (firstMissing !== undefined) {
    const names = missing.map((name) => `'${name}'`);
    const listed = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw new BadArgumentsError(
      `${qualifiedName} missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${listed}`,
      `missing a required argument: '${firstMissing}'`,
    );
  }
  return bound;
}
