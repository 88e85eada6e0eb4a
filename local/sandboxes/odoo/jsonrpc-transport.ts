import { ADMIN_UID } from './orm/environment';
import { callModelMethod, jsonRpcResult, namedValuesFrom, recordIdsFrom } from './orm/method-call';
import { AccessDeniedError, asOdooError, HttpRouteError, jsonRpcErrorPayload, ServerFailure } from './odoo-errors';
import { isValidApiKey, type ServedDatabase } from './served-database';
import { commonServiceVersion } from './server-version';

/**
 * `POST /jsonrpc` (Odoo up to 18, deprecated from 19): `{"method": "call", "params": {service, method,
 * args}}`. Services `common` (version, authenticate, login), `object` (execute_kw, execute) and `db`
 * (list). Every failure is HTTP 200 with an `error` member; a `None` result leaves `result` out, as Odoo does.
 */
export function handleJsonRpc(database: ServedDatabase, rawBody: string): unknown {
  let requestId: unknown = null;
  try {
    const request = parseJsonRpcRequest(rawBody);
    requestId = request.id;
    const result = dispatchService(database, request.service, request.method, request.args);
    return result === undefined || result === null ? { jsonrpc: '2.0', id: requestId } : { jsonrpc: '2.0', id: requestId, result };
  } catch (error) {
    return { jsonrpc: '2.0', id: requestId, error: jsonRpcErrorPayload(asOdooError(error)) };
  }
}

interface JsonRpcRequest {
  id: unknown;
  service: string;
  method: string;
  args: unknown[];
}

function parseJsonRpcRequest(rawBody: string): JsonRpcRequest {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new HttpRouteError('BadRequest', 400, 'Invalid JSON data');
  }
  const envelope = (body ?? {}) as { id?: unknown; params?: { service?: unknown; method?: unknown; args?: unknown } };
  const params = envelope.params ?? {};
  return {
    id: envelope.id ?? null,
    service: String(params.service ?? ''),
    method: String(params.method ?? ''),
    args: Array.isArray(params.args) ? params.args : [],
  };
}

function dispatchService(database: ServedDatabase, service: string, method: string, args: unknown[]): unknown {
  if (service === 'common') return callCommonService(database, method, args);
  if (service === 'object') return callObjectService(database, method, args);
  if (service === 'db' && method === 'list') return [database.name];
  if (service === 'db' && method === 'server_version') return commonServiceVersion(database.version).server_version;
  throw new ServerFailure('builtins.Exception', `No such service method: ${service}.${method}`);
}

/** `authenticate` and `login` answer `false` on wrong credentials, not an error (`common.authenticate.bad_password`). */
function callCommonService(database: ServedDatabase, method: string, args: unknown[]): unknown {
  switch (method) {
    case 'version':
      return commonServiceVersion(database.version);
    case 'authenticate':
    case 'login': {
      const [databaseName, login, password] = args;
      assertServedDatabase(database, databaseName);
      return login === database.login && isValidApiKey(database, password) ? ADMIN_UID : false;
    }
    default:
      throw new ServerFailure('builtins.AttributeError', `The method 'common.${method}' does not exist`);
  }
}

/**
 * `execute_kw(db, uid, password, model, method, args, kwargs)`; `execute` takes the method's arguments
 * inline. For a recordset method the first positional argument is the ids; `kwargs.context` is the context.
 */
function callObjectService(database: ServedDatabase, method: string, args: unknown[]): unknown {
  if (method !== 'execute_kw' && method !== 'execute') {
    throw new ServerFailure('builtins.AttributeError', `The method 'object.${method}' does not exist`);
  }
  const [databaseName, uid, password, model, modelMethod] = args;
  assertServedDatabase(database, databaseName);
  if (uid !== ADMIN_UID || !isValidApiKey(database, password)) throw new AccessDeniedError();
  const positional = method === 'execute_kw' ? toList(args[5]) : args.slice(5);
  const { context, ...named } = method === 'execute_kw' ? namedValuesFrom(args[6]) : {};
  const onRecords = database.models.find(String(model))?.methods[String(modelMethod)]?.onRecords === true;
  if (onRecords && positional.length === 0) throw new ServerFailure('builtins.IndexError', 'tuple index out of range');
  const [idsArgument, ...rest] = positional;
  return jsonRpcResult(
    callModelMethod(database, ADMIN_UID, {
      model: String(model),
      method: String(modelMethod),
      ids: onRecords ? recordIdsFrom(idsArgument) : [],
      positional: onRecords ? rest : positional,
      named,
      context: namedValuesFrom(context),
    }),
  );
}

function assertServedDatabase(database: ServedDatabase, databaseName: unknown): void {
  if (databaseName !== database.name) {
    throw new ServerFailure('psycopg2.OperationalError', `connection to server failed: FATAL:  database "${String(databaseName)}" does not exist`);
  }
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
