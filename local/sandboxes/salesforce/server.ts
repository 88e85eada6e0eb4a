import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../read-body';

/** The org and connected app the sandbox plays unless told otherwise (the local stage's `salesforce` settings). */
export const SANDBOX_SALESFORCE_ORG_ID = '00D5f000005KcCnEAK';
export const SANDBOX_SALESFORCE_CLIENT_ID = '3MVG9sandbox.local.connected.app';
export const SANDBOX_SALESFORCE_CLIENT_SECRET = 'sandbox-salesforce-client-secret';
/** The user the client-credentials flow runs as, and who owns what the sandbox creates. */
export const SANDBOX_SALESFORCE_USER_ID = '005SB0000000001AAA';

/** The objects served, their id prefix (Salesforce's key prefixes) and the fields a read may ask for. */
const OBJECTS: Readonly<Record<string, { prefix: string; fields: readonly string[] }>> = {
  Account: {
    prefix: '001',
    fields: ['Name', 'Website', 'Phone', 'Industry', 'Type', 'Description', 'BillingStreet', 'BillingCity', 'BillingPostalCode', 'BillingState', 'BillingCountry', 'MasterRecordId', 'Odoo_Partner_Id__c',
      // The org's own link and tax id fields the local stage names (`salesforce.accountFields`).
      'Stripe_Customer_Id__c', 'VAT_Number__c'],
  },
  Contact: { prefix: '003', fields: ['FirstName', 'LastName', 'Salutation', 'Email', 'Phone', 'Title', 'AccountId', 'MasterRecordId', 'Odoo_Partner_Id__c'] },
  Opportunity: { prefix: '006', fields: ['Name', 'StageName', 'IsClosed', 'IsWon', 'Amount', 'CloseDate', 'AccountId', 'ContactId', 'HasOpportunityLineItem', 'Probability', 'Odoo_Order_Id__c'] },
  OpportunityLineItem: { prefix: '00k', fields: ['OpportunityId', 'Name', 'ProductCode', 'Product2Id', 'PricebookEntryId', 'Quantity', 'UnitPrice', 'TotalPrice'] },
};
/**
 * The Tasks the integration makes (notes on a deal, tasks for an account's owner), and the custom fields it writes
 * back (the local stage's `salesforce.writeBack`, which names the defaults): served besides the records above.
 */
const ACTIVITY_OBJECTS: Readonly<Record<string, { prefix: string; fields: readonly string[] }>> = {
  Task: { prefix: '00T', fields: ['Subject', 'Description', 'Status', 'Priority', 'ActivityDate', 'WhatId', 'WhoId', 'IsClosed', 'Saas_Sync_Key__c'] },
};
const WRITE_BACK_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Account: ['Stripe_Customer_Id__c', 'Saas_Sync_Customer_Id__c', 'Customer_Status__c'],
  Opportunity: ['Stripe_Subscription_Id__c'],
};
const SERVED_OBJECTS = Object.fromEntries(
  Object.entries({ ...OBJECTS, ...ACTIVITY_OBJECTS }).map(([type, object]) => [type, { prefix: object.prefix, fields: [...new Set([...object.fields, ...(WRITE_BACK_FIELDS[type] ?? [])])] }]),
) as Readonly<Record<string, { prefix: string; fields: readonly string[] }>>;
/** The objects the org's Change Data Capture is selected for (what the relay carries): no Task. */
const CHANGE_DATA_CAPTURE = new Set(Object.keys(OBJECTS));
const SYSTEM_FIELDS = ['Id', 'OwnerId', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'IsDeleted'];
/** Fields Salesforce computes: a write naming them is refused (INVALID_FIELD_FOR_INSERT_UPDATE). */
const COMPUTED_FIELDS = new Set(['Id', 'IsClosed', 'IsWon', 'HasOpportunityLineItem', 'TotalPrice', 'IsDeleted', 'MasterRecordId', 'CreatedDate', 'LastModifiedDate']);
/** Date fields (not date-times): REST carries `2026-01-31`, a change event epoch ms of its midnight UTC. */
const DATE_FIELDS = new Set(['CloseDate']);

type FieldValue = string | number | boolean | null;
export type SandboxRecord = Record<string, FieldValue> & { Id: string };

/** A Change Data Capture event payload, as Salesforce builds it (header + fields). */
export type ChangePayload = Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };

export interface SalesforceSandboxOptions {
  port?: number;
  host?: string;
  orgId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Told of every change event the org makes (the relay puts them on the partner bus); awaited before the write answers. */
  onChange?: (payload: ChangePayload) => Promise<void>;
}

interface Fault {
  status: number;
  remaining: number;
  pathPrefix: string;
}

export interface SalesforceSandbox {
  url: string;
  port: number;
  orgId: string;
  /** Creates records as a user in Salesforce would (each a CREATE change event): their ids, in order. */
  create(type: string, records: readonly Record<string, FieldValue>[], options?: { client?: string }): Promise<string[]>;
  update(type: string, id: string, fields: Record<string, FieldValue>, options?: { client?: string }): Promise<void>;
  remove(type: string, id: string): Promise<void>;
  /** Restores a deleted record from the Recycle Bin (an UNDELETE change with every field, as Salesforce's). */
  undelete(type: string, id: string): Promise<void>;
  /** Merges records into a survivor (Account or Contact), as Salesforce's merge: the others deleted with `MasterRecordId`. */
  merge(type: string, survivorId: string, mergedIds: readonly string[]): Promise<void>;
  record(type: string, id: string): SandboxRecord | undefined;
  /** Sends a change event as given (a test's own: several records, another origin, a re-delivery). */
  emit(payload: ChangePayload): Promise<void>;
  /** Requests served, by `METHOD path` (the contract tests count reads). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

class SandboxError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Salesforce's REST API for the local stack and the tests, with no org: the OAuth 2.0 client-credentials token
 * (`POST /services/oauth2/token`), sObject reads (`GET /services/data/vXX.X/sobjects/{Type}/{id}`), sObject
 * Collections reads (`GET composite/sobjects/{Type}?ids=…&fields=…`: one entry per id, null for one it does not
 * have), SOQL of the shape `SELECT f, … FROM Type [WHERE Field IN ('…', …)]` (`query`, and `queryAll`, which sees
 * deleted and merged-away rows), create / PATCH / DELETE of an sObject; Accounts, Contacts, Opportunities and their
 * line items. Bearer tokens (401 INVALID_SESSION_ID otherwise) and Salesforce's error bodies (`[{ message, errorCode }]`).
 *
 * Every write makes the change event Salesforce's Change Data Capture would (CREATE with every field, UPDATE with
 * the changed ones, DELETE), `changeOrigin` naming the writer's `Sforce-Call-Options` client, and hands it to
 * `onChange` (the relay). Test hooks under `/_sandbox/`: `POST records` `{ type, records }`, `POST merge`
 * `{ type, survivorId, mergedIds }`, `POST undelete` `{ type, id }` (the Recycle Bin's restore), `POST change` `{ payload }` (a change event as given), `POST faults`
 * `{ status, remaining, pathPrefix }` (or `{ clear: true }`), `POST expire-tokens`.
 */
export async function startSalesforceSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  const orgId = options.orgId ?? SANDBOX_SALESFORCE_ORG_ID;
  const clientId = options.clientId ?? SANDBOX_SALESFORCE_CLIENT_ID;
  const clientSecret = options.clientSecret ?? SANDBOX_SALESFORCE_CLIENT_SECRET;
  const records = new Map<string, Map<string, SandboxRecord>>(Object.keys(SERVED_OBJECTS).map((type) => [type, new Map()]));
  const deleted = new Map<string, Map<string, SandboxRecord>>(Object.keys(SERVED_OBJECTS).map((type) => [type, new Map()]));
  const tokens = new Set<string>();
  const requests: string[] = [];
  let faults: Fault[] = [];
  let sequence = 0;
  let url = '';

  const objectOf = (type: string) => {
    const object = SERVED_OBJECTS[type];
    if (object === undefined) throw new SandboxError(404, 'NOT_FOUND', `The requested resource does not exist: sObject type '${type}' is not supported by the sandbox`);
    return object;
  };
  const newId = (type: string) => `${objectOf(type).prefix}SB${String(++sequence).padStart(10, '0')}AAA`;
  const now = () => new Date();
  const restInstant = (date: Date) => date.toISOString().replace('Z', '+0000');

  const changeOrigin = (client: string | undefined) => `com/salesforce/api/rest/62.0${client ? `;client=${client}` : ''}`;
  const header = (entityName: string, changeType: string, recordIds: string[], client: string | undefined, changedFields: string[] = [], transactionKey = randomUUID(), sequenceNumber = 1) => ({
    entityName, recordIds, changeType, changeOrigin: changeOrigin(client), transactionKey, sequenceNumber, commitTimestamp: Date.now(),
    commitNumber: Date.now() * 1000 + sequence, commitUser: SANDBOX_SALESFORCE_USER_ID, nulledFields: [] as string[], diffFields: [] as string[], changedFields,
  });

  /** A record's fields as a change event carries them: compound Name and BillingAddress, dates as epoch ms. */
  const changeFields = (type: string, record: Partial<SandboxRecord>, only?: readonly string[]): Record<string, unknown> => {
    const fields: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      if (field === 'Id' || field === 'IsDeleted' || (only !== undefined && !only.includes(field))) continue;
      const asChange = typeof value === 'string' && (field.endsWith('Date') || DATE_FIELDS.has(field)) && !Number.isNaN(Date.parse(value.replace('+0000', 'Z'))) ? Date.parse(value.replace('+0000', 'Z')) : value;
      if (type === 'Contact' && ['FirstName', 'LastName', 'Salutation'].includes(field)) fields['Name'] = { ...((fields['Name'] as object | undefined) ?? {}), [field]: asChange };
      else if (type === 'Account' && field.startsWith('Billing')) fields['BillingAddress'] = { ...((fields['BillingAddress'] as object | undefined) ?? {}), [field.slice('Billing'.length)]: asChange };
      else fields[field] = asChange;
    }
    return fields;
  };

  const emit = async (payload: ChangePayload) => {
    if (!CHANGE_DATA_CAPTURE.has(String(payload.ChangeEventHeader['entityName']))) return;
    if (options.onChange) await options.onChange(payload);
  };

  /** An opportunity's rollups of its lines, as Salesforce keeps them: HasOpportunityLineItem, and Amount the lines' total. */
  const rollUp = (opportunityId: unknown) => {
    const opportunity = typeof opportunityId === 'string' ? records.get('Opportunity')!.get(opportunityId) : undefined;
    if (opportunity === undefined) return;
    const lines = [...records.get('OpportunityLineItem')!.values()].filter((line) => line['OpportunityId'] === opportunity.Id);
    opportunity['HasOpportunityLineItem'] = lines.length > 0;
    if (lines.length > 0) opportunity['Amount'] = lines.reduce((cents, line) => cents + Math.round(Number(line['TotalPrice']) * 100), 0) / 100;
  };

  const derive = (type: string, record: SandboxRecord) => {
    if (type === 'Opportunity') {
      const stage = String(record['StageName'] ?? '');
      record['IsWon'] = stage === 'Closed Won';
      record['IsClosed'] = stage === 'Closed Won' || stage === 'Closed Lost';
      record['HasOpportunityLineItem'] ??= false;
    }
    if (type === 'Task') {
      record['Status'] ??= 'Not Started';
      record['IsClosed'] = record['Status'] === 'Completed';
    }
    if (type === 'OpportunityLineItem') {
      // Salesforce's own rounding of the line total (currency fields keep 2 decimals here).
      record['TotalPrice'] = Math.round(Number(record['Quantity']) * Number(record['UnitPrice']) * 100) / 100;
    }
  };

  const validateWrite = (type: string, fields: Record<string, FieldValue>) => {
    const object = objectOf(type);
    for (const field of Object.keys(fields)) {
      if (COMPUTED_FIELDS.has(field)) throw new SandboxError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`);
      if (!object.fields.includes(field) && field !== 'OwnerId') throw new SandboxError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${type}`);
    }
  };

  const create = async (type: string, list: readonly Record<string, FieldValue>[], client?: string): Promise<string[]> => {
    const ids: string[] = [];
    for (const fields of list) {
      validateWrite(type, fields);
      if (type === 'Task' && fields['WhatId'] != null && ![...records.values()].some((byId) => byId.has(String(fields['WhatId'])))) {
        throw new SandboxError(400, 'FIELD_INTEGRITY_EXCEPTION', `Related To ID: id value of incorrect type: ${String(fields['WhatId'])}`);
      }
      if (type === 'OpportunityLineItem' && !records.get('Opportunity')!.has(String(fields['OpportunityId']))) throw new SandboxError(400, 'FIELD_INTEGRITY_EXCEPTION', `OpportunityId: id value of incorrect type: ${String(fields['OpportunityId'])}`);
      const at = restInstant(now());
      const record: SandboxRecord = { Id: newId(type), OwnerId: SANDBOX_SALESFORCE_USER_ID, ...fields, CreatedDate: at, CreatedById: SANDBOX_SALESFORCE_USER_ID, LastModifiedDate: at, LastModifiedById: SANDBOX_SALESFORCE_USER_ID, IsDeleted: false };
      derive(type, record);
      records.get(type)!.set(record.Id, record);
      if (type === 'OpportunityLineItem') rollUp(record['OpportunityId']);
      ids.push(record.Id);
      await emit({ ChangeEventHeader: header(type, 'CREATE', [record.Id], client), ...changeFields(type, record) });
    }
    return ids;
  };

  const update = async (type: string, id: string, fields: Record<string, FieldValue>, client?: string) => {
    validateWrite(type, fields);
    const record = records.get(type)!.get(id);
    if (record === undefined) throw new SandboxError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const before = { ...record };
    Object.assign(record, fields, { LastModifiedDate: restInstant(now()), LastModifiedById: SANDBOX_SALESFORCE_USER_ID });
    derive(type, record);
    if (type === 'OpportunityLineItem') rollUp(record['OpportunityId']);
    const changed = Object.keys(record).filter((field) => record[field] !== before[field]);
    await emit({ ChangeEventHeader: header(type, 'UPDATE', [id], client, changed), ...changeFields(type, record, changed) });
  };

  const remove = async (type: string, id: string, client?: string, masterRecordId?: string) => {
    const record = records.get(type)!.get(id);
    if (record === undefined) throw new SandboxError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    records.get(type)!.delete(id);
    deleted.get(type)!.set(id, { ...record, IsDeleted: true, ...(masterRecordId ? { MasterRecordId: masterRecordId } : {}) });
    if (type === 'OpportunityLineItem') rollUp(record['OpportunityId']);
    await emit({ ChangeEventHeader: header(type, 'DELETE', [id], client) });
  };

  const undelete = async (type: string, id: string) => {
    const row = deleted.get(type)?.get(id);
    if (row === undefined || row['MasterRecordId'] !== undefined) throw new SandboxError(404, 'ENTITY_IS_DELETED', 'entity is not in the Recycle Bin (a record merged away cannot be restored)');
    deleted.get(type)!.delete(id);
    const record: SandboxRecord = { ...row, IsDeleted: false, LastModifiedDate: restInstant(now()), LastModifiedById: SANDBOX_SALESFORCE_USER_ID };
    records.get(type)!.set(id, record);
    if (type === 'OpportunityLineItem') rollUp(record['OpportunityId']);
    await emit({ ChangeEventHeader: header(type, 'UNDELETE', [id], undefined), ...changeFields(type, record) });
  };

  const merge = async (type: string, survivorId: string, mergedIds: readonly string[]) => {
    if (type !== 'Account' && type !== 'Contact') throw new SandboxError(400, 'INVALID_TYPE', `${type} records cannot be merged`);
    if (!records.get(type)!.has(survivorId)) throw new SandboxError(404, 'NOT_FOUND', `no ${type} ${survivorId}`);
    for (const id of mergedIds) await remove(type, id, undefined, survivorId);
    await update(type, survivorId, {});
  };

  const project = (type: string, record: SandboxRecord, fields: readonly string[]) => {
    const allowed = [...SYSTEM_FIELDS, ...objectOf(type).fields];
    const unknown = fields.find((field) => !allowed.includes(field));
    if (unknown !== undefined) throw new SandboxError(400, 'INVALID_FIELD', `No such column '${unknown}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
    return { attributes: { type, url: `/services/data/v62.0/sobjects/${type}/${record.Id}` }, ...Object.fromEntries(fields.map((field) => [field, record[field] ?? null])) };
  };

  const query = (soql: string, includeDeleted: boolean) => {
    const match = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(\w+)\s+IN\s*\(([^)]*)\))?\s*$/i.exec(soql);
    if (!match) throw new SandboxError(400, 'MALFORMED_QUERY', `the sandbox answers SELECT … FROM Type [WHERE Field IN ('…')] only: ${soql}`);
    const [, fieldList = '', type = '', whereField, inList] = match;
    const fields = fieldList.split(',').map((field) => field.trim());
    const wanted = inList === undefined ? undefined : new Set(inList.split(',').map((value) => value.trim().replace(/^'(.*)'$/, '$1')));
    objectOf(type);
    const rows = [...records.get(type)!.values(), ...(includeDeleted ? deleted.get(type)!.values() : [])];
    const selected = rows.filter((row) => wanted === undefined || wanted.has(String(row[whereField!])));
    return { totalSize: selected.length, done: true, records: selected.map((row) => project(type, row, fields)) };
  };

  const isAuthorized = (request: IncomingMessage) => {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    return token !== undefined && tokens.has(token);
  };
  const clientOf = (request: IncomingMessage) => /client=([^;,\s]+)/.exec(String(request.headers['sforce-call-options'] ?? ''))?.[1];

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', 'http://sandbox');
    const path = requestUrl.pathname;
    const method = request.method ?? 'GET';
    requests.push(`${method} ${path}`);
    const send = (status: number, body?: unknown) => {
      response.writeHead(status, body === undefined ? {} : { 'Content-Type': 'application/json;charset=UTF-8', 'Sforce-Limit-Info': `api-usage=${requests.length}/100000` });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const json = async () => {
      const text = await readBody(request, 1024 * 1024);
      return (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    };

    if (path.startsWith('/_sandbox/')) {
      const body = method === 'POST' ? await json() : {};
      if (path === '/_sandbox/records') return send(200, { ids: await create(String(body['type']), (body['records'] as Record<string, FieldValue>[]) ?? []) });
      if (path === '/_sandbox/undelete') return send(200, (await undelete(String(body['type']), String(body['id'])), {}));
      if (path === '/_sandbox/merge') return send(200, (await merge(String(body['type']), String(body['survivorId']), (body['mergedIds'] as string[]) ?? []), {}));
      if (path === '/_sandbox/change') return send(200, (await emit(body['payload'] as ChangePayload), {}));
      if (path === '/_sandbox/faults' && body['clear'] === true) return send(200, ((faults = []), {}));
      if (path === '/_sandbox/faults') return send(200, (faults.push({ status: Number(body['status']), remaining: Number(body['remaining'] ?? 1), pathPrefix: String(body['pathPrefix'] ?? '/services/data/') }), {}));
      if (path === '/_sandbox/expire-tokens') return send(200, (tokens.clear(), {}));
      return send(404, [{ errorCode: 'NOT_FOUND', message: `no sandbox hook ${path}` }]);
    }

    if (path === '/services/oauth2/token' && method === 'POST') {
      const form = new URLSearchParams(await readBody(request, 64 * 1024));
      if (form.get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return send(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      const token = `${orgId}!sandbox.${randomBytes(12).toString('hex')}`;
      tokens.add(token);
      return send(200, { access_token: token, signature: randomBytes(16).toString('base64'), scope: 'api', instance_url: url, id: `${url}/id/${orgId}/${SANDBOX_SALESFORCE_USER_ID}`, token_type: 'Bearer', issued_at: String(Date.now()) });
    }

    const data = /^\/services\/data\/v\d+\.\d\/(.*)$/.exec(path);
    if (!data) return send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    if (!isAuthorized(request)) return send(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const fault = faults.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix));
    if (fault) {
      fault.remaining--;
      faults = faults.filter((candidate) => candidate.remaining > 0);
      return send(fault.status, [{ errorCode: fault.status === 403 ? 'REQUEST_LIMIT_EXCEEDED' : 'SERVER_UNAVAILABLE', message: `sandbox fault ${fault.status}` }]);
    }
    const resource = data[1] ?? '';
    const parts = resource.split('/').map(decodeURIComponent);
    const client = clientOf(request);

    if ((parts[0] === 'query' || parts[0] === 'queryAll') && method === 'GET') return send(200, query(requestUrl.searchParams.get('q') ?? '', parts[0] === 'queryAll'));
    if (parts[0] === 'composite' && parts[1] === 'sobjects' && parts[2] && method === 'GET') {
      const type = parts[2];
      objectOf(type);
      const ids = (requestUrl.searchParams.get('ids') ?? '').split(',').filter((id) => id !== '');
      const fields = (requestUrl.searchParams.get('fields') ?? '').split(',').filter((field) => field !== '');
      if (ids.length === 0 || fields.length === 0) return send(400, [{ errorCode: 'MISSING_ARGUMENT', message: 'ids and fields are required' }]);
      // Salesforce checks the fields whatever the ids: an unknown one is a 400 even when no record is found.
      project(type, { Id: '' }, fields);
      return send(200, ids.map((id) => {
        const record = records.get(type)!.get(id);
        return record === undefined ? null : project(type, record, fields);
      }));
    }
    if (parts[0] === 'sobjects' && parts[1]) {
      const type = parts[1];
      objectOf(type);
      const id = parts[2];
      if (id === undefined && method === 'POST') {
        const [created] = await create(type, [(await json()) as Record<string, FieldValue>], client);
        return send(201, { id: created, success: true, errors: [] });
      }
      if (id !== undefined && method === 'GET') {
        const record = records.get(type)!.get(id);
        if (record === undefined) return send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
        const fields = requestUrl.searchParams.get('fields')?.split(',') ?? [...SYSTEM_FIELDS, ...objectOf(type).fields];
        return send(200, project(type, record, fields));
      }
      if (id !== undefined && method === 'PATCH') return send(204, (await update(type, id, (await json()) as Record<string, FieldValue>, client), undefined));
      if (id !== undefined && method === 'DELETE') return send(204, (await remove(type, id, client), undefined));
    }
    return send(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.end();
      const status = error instanceof SandboxError ? error.status : error instanceof SyntaxError ? 400 : 500;
      const errorCode = error instanceof SandboxError ? error.errorCode : error instanceof SyntaxError ? 'JSON_PARSER_ERROR' : 'UNKNOWN_EXCEPTION';
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify([{ errorCode, message: (error as Error).message }]));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    port,
    orgId,
    create: (type, list, createOptions) => create(type, list, createOptions?.client),
    update: (type, id, fields, updateOptions) => update(type, id, fields, updateOptions?.client),
    remove: (type, id) => remove(type, id),
    undelete,
    merge,
    record: (type, id) => {
      const record = records.get(type)?.get(id);
      return record === undefined ? undefined : { ...record };
    },
    emit,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
