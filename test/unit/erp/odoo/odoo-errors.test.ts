import { beforeEach, describe, expect, it } from 'vitest';
import { resetDatabaseGuards } from '../../../../functions/erp/odoo/database-guards';
import {
  OdooAccessError,
  OdooBadRequestError,
  OdooConnectionError,
  type OdooError,
  OdooMissingError,
  OdooPermanentError,
  OdooProtocolError,
  OdooRateLimitedError,
  OdooRetryableError,
  OdooSerializationError,
  OdooUnavailableError,
  OdooUnknownFieldError,
  OdooUnknownMethodError,
  OdooUnknownModelError,
  OdooUserError,
  OdooValidationError,
  OdooValueError,
} from '../../../../functions/erp/odoo/odoo-errors';
import { fakeKeys, jsonResponse, type OdooVersionDir, recordedClient, recordedOdoo, recording } from './recorded-odoo';

type ErrorClass = abstract new (...args: never[]) => OdooError;

/** Answers every business call with the recorded error (JSON-RPC logins succeed as recorded). */
function answeringWith(version: OdooVersionDir, name: string) {
  const { response } = recording(version, name);
  return recordedOdoo(version, [
    (request) => {
      const service = (request.body as { params?: { service?: string } } | null)?.params?.service;
      if (service === 'common') return undefined;
      const body = response.body as Record<string, unknown>;
      return jsonResponse(response.status, 'jsonrpc' in body ? { ...body, id: (request.body as { id?: unknown }).id } : body);
    },
  ]);
}

async function failureOf(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (error) {
    return error as OdooError;
  }
  throw new Error('expected a failure');
}

const RECORDED_ERRORS: Array<[OdooVersionDir, string, ErrorClass, number | undefined]> = [
  ['18.0', 'execute_kw.bad_password', OdooAccessError, undefined],
  ['18.0', 'execute_kw.unknown_model', OdooUnknownModelError, undefined],
  ['18.0', 'execute_kw.unknown_field', OdooUnknownFieldError, undefined],
  ['18.0', 'res.partner.write.missing', OdooMissingError, undefined],
  ['18.0', 'ir.model.data.create.duplicate', OdooValidationError, undefined],
  ['18.0', 'account.move.action_post.again', OdooUserError, undefined],
  ['18.0', 'account.move.action_post.no_lines', OdooUserError, undefined],
  ['19.0-json2', 'auth.bad_key', OdooAccessError, 401],
  ['19.0-json2', 'auth.missing', OdooAccessError, 401],
  ['19.0-json2', 'model.unknown', OdooUnknownModelError, 404],
  ['19.0-json2', 'method.unknown', OdooUnknownMethodError, 404],
  ['19.0-json2', 'field.unknown', OdooUnknownFieldError, 500],
  ['19.0-json2', 'args.positional_rejected', OdooBadRequestError, 422],
  ['19.0-json2', 'res.partner.write.missing', OdooMissingError, 404],
  ['19.0-json2', 'ir.model.data.create.duplicate', OdooValidationError, 422],
  ['19.0-json2', 'account.move.action_post.again', OdooUserError, 422],
  ['19.0-json2', 'account.move.action_post.no_lines', OdooUserError, 422],
];

describe('Odoo errors from the recorded error payloads', () => {
  beforeEach(() => resetDatabaseGuards());

  it.each(RECORDED_ERRORS)('%s %s → %o, permanent, Odoo message kept, no retry', async (version, name, errorClass, status) => {
    // Prepare
    const odoo = answeringWith(version, name);
    const client = recordedClient(version, odoo);
    const body = recording(version, name).response.body as { name?: string; message?: string; error?: { data: { name: string; message: string } } };
    const odooName = body.error?.data.name ?? body.name;
    const message = body.error?.data.message ?? body.message;
    // Act
    const error = await failureOf(client.call('res.partner', 'create', { vals_list: [{ name: 'X' }] }));
    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expect(error.name).toBe(errorClass.name);
    expect(error).toBeInstanceOf(OdooPermanentError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(message);
    expect(error.odooName).toBe(odooName);
    expect(error.status).toBe(status ?? 200);
    expect(error.message).not.toContain('Traceback');
    expect(client.callCounts()['res.partner.create']).toBe(1);
  });

  it('an unknown field is also a value error, and an alarm-worthy one', async () => {
    const client = recordedClient('19.0-json2', answeringWith('19.0-json2', 'field.unknown'));
    const error = await failureOf(client.call('res.partner', 'create', { vals_list: [{ x_nope: 1 }] }));
    expect(error).toBeInstanceOf(OdooValueError);
    expect(error.alarming).toBe(true);
  });

  it('access errors are alarm-worthy, validation errors are not', async () => {
    const access = await failureOf(recordedClient('19.0-json2', answeringWith('19.0-json2', 'auth.bad_key')).call('res.partner', 'search', { domain: [] }));
    resetDatabaseGuards();
    const validation = await failureOf(
      recordedClient('19.0-json2', answeringWith('19.0-json2', 'ir.model.data.create.duplicate')).call('ir.model.data', 'create', { vals_list: [{}] }),
    );
    expect(access.alarming).toBe(true);
    expect((access as OdooAccessError).failure).toBe('authentication');
    expect(validation.alarming).toBe(false);
  });

  it('JSON-RPC: wrong credentials (authenticate answers false) end as an access error', async () => {
    // Prepare
    const odoo = recordedOdoo('18.0', [
      (request) => {
        const body = request.body as { id?: unknown; params?: { service?: string } };
        return body.params?.service === 'common' ? jsonResponse(200, { ...(recording('18.0', 'common.authenticate.bad_password').response.body as object), id: body.id }) : undefined;
      },
    ]);
    const client = recordedClient('18.0', odoo);
    // Act
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    // Assess
    expect(error).toBeInstanceOf(OdooAccessError);
    expect(client.callCounts()).toEqual({ 'common.authenticate': 1 });
  });
});

describe('Odoo error names', () => {
  it('every error class names itself literally, so minified Lambda bundles still report OdooValidationError in the DLQ', async () => {
    const errors = await import('../../../../functions/erp/odoo/odoo-errors');
    const classes = Object.entries(errors).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof Error && value !== errors.OdooError,
    ) as Array<[string, new (message: string, ...rest: unknown[]) => OdooError]>;
    const names = classes.map(([exported, ErrorClass]) => [exported, new ErrorClass('m', 'authentication').name]);
    expect(classes.length).toBeGreaterThan(15);
    expect(names).toEqual(classes.map(([exported]) => [exported, exported]));
  });
});

describe('Odoo transient failures are retryable', () => {
  beforeEach(() => resetDatabaseGuards());

  const once = (version: OdooVersionDir, response: () => Response) =>
    recordedOdoo(version, [(request) => ((request.body as { params?: { service?: string } } | null)?.params?.service === 'common' ? undefined : response())]);

  it.each(['18.0', '19.0-json2'] as const)('%s: a PostgreSQL serialization failure is an OdooSerializationError', async (version) => {
    // Prepare
    const payload = { name: 'psycopg2.errors.SerializationFailure', message: 'could not serialize access due to concurrent update' };
    const odoo = once(version, () =>
      version === '18.0'
        ? jsonResponse(200, { jsonrpc: '2.0', id: 1, error: { code: 200, message: 'Odoo Server Error', data: payload } })
        : jsonResponse(409, payload),
    );
    const client = recordedClient(version, odoo, { connection: { retry: { maxAttempts: 1 } } });
    // Act
    const error = await failureOf(client.call('res.partner', 'write', { ids: [1], vals: { name: 'x' } }));
    // Assess
    expect(error).toBeInstanceOf(OdooSerializationError);
    expect(error.retryable).toBe(true);
    expect((error as OdooRetryableError).mayHaveApplied).toBe(false);
    expect(error.message).toBe(payload.message);
  });

  it.each(['18.0', '19.0-json2'] as const)('%s: 429 is rate limited and carries Retry-After', async (version) => {
    const client = recordedClient(version, once(version, () => new Response('slow down', { status: 429, headers: { 'retry-after': '2' } })), {
      connection: { retry: { maxAttempts: 1 } },
    });
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    expect(error).toBeInstanceOf(OdooRateLimitedError);
    expect((error as OdooRateLimitedError).retryAfterMs).toBe(2000);
  });

  it.each([
    [502, true],
    [503, false],
    [504, true],
  ])('an HTML %i from a proxy is Odoo unavailable (may have applied: %s)', async (status, mayHaveApplied) => {
    const client = recordedClient('19.0-json2', once('19.0-json2', () => new Response('<html>Bad Gateway</html>', { status })), {
      connection: { retry: { maxAttempts: 1 } },
    });
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    expect(error).toBeInstanceOf(OdooUnavailableError);
    expect(error.retryable).toBe(true);
    expect((error as OdooUnavailableError).mayHaveApplied).toBe(mayHaveApplied);
  });

  it.each([
    ['ECONNRESET', true],
    ['ECONNREFUSED', false],
  ])('a %s is a connection error (may have applied: %s)', async (code, mayHaveApplied) => {
    const fetch = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    }) as unknown as typeof globalThis.fetch;
    const client = recordedClient('19.0-json2', { fetch }, { connection: { retry: { maxAttempts: 1 } } });
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    expect(error).toBeInstanceOf(OdooConnectionError);
    expect((error as OdooConnectionError).mayHaveApplied).toBe(mayHaveApplied);
  });

  it('a 200 that is not JSON (a captive proxy page) is a protocol error, permanent and alarming', async () => {
    const client = recordedClient('19.0-json2', once('19.0-json2', () => new Response('<html>login</html>', { status: 200 })), {
      apiKey: fakeKeys('<api-key>'),
    });
    const error = await failureOf(client.call('res.partner', 'search', { domain: [] }));
    expect(error).toBeInstanceOf(OdooProtocolError);
    expect(error.alarming).toBe(true);
  });
});
