/**
 * The failures the sandbox raises, and how each transport renders them. Payloads follow the recorded
 * fixtures (`shared/odoo-contract/`) to the letter: the same exception class names, messages and
 * `arguments`, so a client's error parsing is exercised exactly as against a real server. Only the
 * traceback in `debug` is ours (there is no Python stack to show).
 *
 * The same failure can look different per transport: an unknown model is a `UserError` over JSON-RPC
 * but a werkzeug `NotFound` (HTTP 404) over JSON-2. Each error class therefore describes itself once
 * per transport.
 */

/** What a transport needs to render a failure: the Python exception class, its message and args. */
export interface ErrorRendering {
  /** Fully qualified Python class, as Odoo puts in `name`: `odoo.exceptions.UserError`. */
  exceptionName: string;
  message: string;
  arguments: unknown[];
  /** The HTTP status JSON-2 answers with; JSON-RPC always answers 200. */
  httpStatus: number;
}

export abstract class OdooError extends Error {
  abstract renderForJsonRpc(): ErrorRendering;
  abstract renderForJson2(): ErrorRendering;
}

/** An `odoo.exceptions.*` or `builtins.*` exception: rendered the same way by both transports. */
abstract class PythonExceptionError extends OdooError {
  protected abstract readonly exceptionName: string;
  protected abstract readonly json2Status: number;

  private render(): ErrorRendering {
    return { exceptionName: this.exceptionName, message: this.message, arguments: [this.message], httpStatus: this.json2Status };
  }

  renderForJsonRpc(): ErrorRendering {
    return this.render();
  }

  renderForJson2(): ErrorRendering {
    return this.render();
  }
}

export class UserError extends PythonExceptionError {
  protected readonly exceptionName = 'odoo.exceptions.UserError';
  protected readonly json2Status = 422;
}

export class ValidationError extends PythonExceptionError {
  protected readonly exceptionName = 'odoo.exceptions.ValidationError';
  protected readonly json2Status = 422;
}

export class AccessError extends PythonExceptionError {
  protected readonly exceptionName = 'odoo.exceptions.AccessError';
  protected readonly json2Status = 403;
}

export class AccessDeniedError extends PythonExceptionError {
  protected readonly exceptionName = 'odoo.exceptions.AccessDenied';
  protected readonly json2Status = 401;

  constructor() {
    super('Access Denied');
  }
}

/** Odoo's `MissingError`, with the message naming the model, the ids (a Python tuple) and the user. */
export class MissingError extends PythonExceptionError {
  protected readonly exceptionName = 'odoo.exceptions.MissingError';
  protected readonly json2Status = 404;

  constructor(model: string, missingIds: readonly number[], uid: number) {
    super(`Record does not exist or has been deleted.\n(Record: ${model}${pythonTuple(missingIds)}, User: ${uid})`);
  }
}

/** Python's `ValueError`: a programming error on the caller's side, HTTP 500 over JSON-2. */
export class PythonValueError extends PythonExceptionError {
  protected readonly exceptionName = 'builtins.ValueError';
  protected readonly json2Status = 500;
}

/**
 * PostgreSQL's serialization failure, as psycopg2 raises it: the row the call updates was changed by another
 * transaction since this one's snapshot. A real Odoo retries the request a few times and, when every attempt
 * meets it, answers it as is: JSON-RPC error `psycopg2.errors.SerializationFailure`, JSON-2 HTTP 500, the
 * message with PostgreSQL's trailing newline (recorded: test/contract/odoo/real-odoo-cases/recorded/<version>/
 * res.partner.write.serialization_failure.json).
 */
export class SerializationFailure extends PythonExceptionError {
  protected readonly exceptionName = 'psycopg2.errors.SerializationFailure';
  protected readonly json2Status = 500;

  constructor() {
    super('could not serialize access due to concurrent update\n');
  }
}

/** A server-side failure that has no Odoo exception (wrong database name and the like). */
export class ServerFailure extends PythonExceptionError {
  protected readonly json2Status = 500;

  constructor(
    protected readonly exceptionName: string,
    message: string,
  ) {
    super(message);
  }
}

export class UnknownModelError extends OdooError {
  constructor(readonly model: string) {
    super(`Object ${model} doesn't exist`);
  }

  renderForJsonRpc(): ErrorRendering {
    const message = `Object ${this.model} doesn't exist`;
    return { exceptionName: 'odoo.exceptions.UserError', message, arguments: [message], httpStatus: 200 };
  }

  renderForJson2(): ErrorRendering {
    return werkzeugError('NotFound', 404, `the model '${this.model}' does not exist`);
  }
}

export class UnknownMethodError extends OdooError {
  constructor(
    readonly model: string,
    readonly method: string,
  ) {
    super(`The method '${model}.${method}' does not exist`);
  }

  renderForJsonRpc(): ErrorRendering {
    return { exceptionName: 'builtins.AttributeError', message: this.message, arguments: [this.message], httpStatus: 200 };
  }

  renderForJson2(): ErrorRendering {
    return werkzeugError('NotFound', 404, this.message);
  }
}

/**
 * Arguments that do not fit the method's signature: Python raises `TypeError` while binding them;
 * JSON-2 reports it as 422 with the message of `inspect.Signature.bind`.
 */
export class BadArgumentsError extends OdooError {
  constructor(
    readonly pythonMessage: string,
    readonly signatureBindMessage: string,
  ) {
    super(pythonMessage);
  }

  renderForJsonRpc(): ErrorRendering {
    return { exceptionName: 'builtins.TypeError', message: this.pythonMessage, arguments: [this.pythonMessage], httpStatus: 200 };
  }

  renderForJson2(): ErrorRendering {
    return werkzeugError('UnprocessableEntity', 422, this.signatureBindMessage);
  }
}

/**
 * An HTTP-level refusal raised by werkzeug before any model code runs: a missing or wrong API key
 * (401), a route or database that does not exist (404), a body that is not JSON (400).
 */
export class HttpRouteError extends OdooError {
  constructor(
    readonly werkzeugClass: 'BadRequest' | 'Unauthorized' | 'NotFound' | 'MethodNotAllowed',
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }

  renderForJsonRpc(): ErrorRendering {
    return werkzeugError(this.werkzeugClass, this.httpStatus, this.message);
  }

  renderForJson2(): ErrorRendering {
    return werkzeugError(this.werkzeugClass, this.httpStatus, this.message);
  }
}

/** werkzeug HTTP exceptions carry the status code as their second argument. */
function werkzeugError(className: string, httpStatus: number, message: string): ErrorRendering {
  return { exceptionName: `werkzeug.exceptions.${className}`, message, arguments: [message, httpStatus], httpStatus };
}

/** Python's repr of a tuple of ids: `(7,)` for one, `(7, 8)` for several. */
function pythonTuple(ids: readonly number[]): string {
  return ids.length === 1 ? `(${ids[0]},)` : `(${ids.join(', ')})`;
}

/**
 * A stand-in for the Python traceback Odoo sends in `debug`: same first and last lines (so a client
 * that shows the last line shows the right thing), no fake frames.
 */
export function describeTraceback(rendering: ErrorRendering): string {
  const shortName = rendering.exceptionName.startsWith('builtins.')
    ? rendering.exceptionName.slice('builtins.'.length)
    : rendering.exceptionName;
  const lastLine = rendering.exceptionName.startsWith('werkzeug.exceptions.')
    ? `${shortName}: ${rendering.httpStatus} ${rendering.message}`
    : `${shortName}: ${rendering.message}`;
  return `Traceback (most recent call last):\n  File "odoo-sandbox", raised by the sandbox (no Python stack)\n${lastLine}`;
}

/** Anything that is not an `OdooError` is a bug in the sandbox: report it the way Odoo reports a crash. */
export function asOdooError(error: unknown): OdooError {
  if (error instanceof OdooError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ServerFailure('builtins.RuntimeError', `Odoo sandbox internal error: ${message}`);
}

/** The `error` member of a JSON-RPC response, as Odoo's `JsonRPCDispatcher.handle_error` builds it. */
export function jsonRpcErrorPayload(error: OdooError): Record<string, unknown> {
  const rendering = error.renderForJsonRpc();
  const isNotFound = rendering.exceptionName === 'werkzeug.exceptions.NotFound';
  return {
    code: isNotFound ? 404 : 200,
    message: isNotFound ? '404: Not Found' : 'Odoo Server Error',
    data: {
      name: rendering.exceptionName,
      debug: describeTraceback(rendering),
      message: rendering.message,
      arguments: rendering.arguments,
      context: {},
    },
  };
}

/** A JSON-2 error: the real HTTP status and the body `{name, message, arguments, context, debug}`. */
export function json2ErrorResponse(error: OdooError): { status: number; body: Record<string, unknown> } {
  const rendering = error.renderForJson2();
  return {
    status: rendering.httpStatus,
    body: {
      name: rendering.exceptionName,
      message: rendering.message,
      arguments: rendering.arguments,
      context: {},
      debug: describeTraceback(rendering),
    },
  };
}
