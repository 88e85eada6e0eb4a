/**
 * Reads what the flows wrote to Odoo, over JSON-RPC (served by every Odoo version the stack supports and
 * by the sandbox), for the demo, the bench and the end-to-end tests. Read-only by construction: it only
 * calls `search_read`.
 */

export interface OdooReaderConnection {
  readonly url: string;
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
}

export interface OdooPartner {
  readonly id: number;
  readonly name: string;
  readonly ref: string | false;
  readonly email: string | false;
  readonly is_company: boolean;
  readonly active: boolean;
  readonly [field: string]: unknown;
}

const PARTNER_FIELDS = ['name', 'ref', 'email', 'is_company', 'active', 'phone', 'city', 'country_id'];

export class OdooRecordReader {
  private uid: number | undefined;

  constructor(private readonly connection: OdooReaderConnection) {}

  /** The partner behind external id `<module>.<name>` (e.g. `saas_sync.stripe_customer_cus_123`), archived ones included. */
  async partnerByExternalId(externalId: string): Promise<OdooPartner | undefined> {
    const [module, name] = [externalId.slice(0, externalId.indexOf('.')), externalId.slice(externalId.indexOf('.') + 1)];
    const links = (await this.searchRead('ir.model.data', [['module', '=', module], ['name', '=', name], ['model', '=', 'res.partner']], ['res_id'])) as { res_id: number }[];
    const partnerId = links[0]?.res_id;
    if (partnerId === undefined) return undefined;
    const partners = (await this.searchRead('res.partner', [['id', '=', partnerId]], PARTNER_FIELDS, { context: { active_test: false } })) as OdooPartner[];
    return partners[0];
  }

  /** Every partner whose `ref` is `ref`, archived ones included: more than one is a duplicate. */
  async partnersWithRef(ref: string): Promise<OdooPartner[]> {
    return (await this.searchRead('res.partner', [['ref', '=', ref]], PARTNER_FIELDS, { context: { active_test: false } })) as OdooPartner[];
  }

  /** The refs among `refs` that some partner has: one query for many customers. */
  async existingRefs(refs: readonly string[]): Promise<Set<string>> {
    const partners = (await this.searchRead('res.partner', [['ref', 'in', [...refs]]], ['ref'], { context: { active_test: false } })) as { ref: string }[];
    return new Set(partners.map((partner) => partner.ref));
  }

  /** `search_read` of any model (read-only use: the demo, the benches and the end-to-end tests' views of Odoo). */
  async searchRead<Row = unknown>(model: string, domain: unknown[], fields: string[], options: { order?: string; context?: Record<string, unknown> } = {}): Promise<Row[]> {
    const uid = await this.authenticate();
    return (await this.call('object', 'execute_kw', [
      this.connection.database,
      uid,
      this.connection.apiKey,
      model,
      'search_read',
      [domain],
      { fields, ...(options.order ? { order: options.order } : {}), context: options.context ?? {} },
    ])) as Row[];
  }

  /**
   * `create` of one record: its id. Only for setting up a database the way a person would in Odoo's settings (the
   * end-to-end harness adds the journal a stage's billing routes name); the stack writes through its own client.
   */
  async create(model: string, values: Record<string, unknown>): Promise<number> {
    const uid = await this.authenticate();
    const created = await this.call('object', 'execute_kw', [this.connection.database, uid, this.connection.apiKey, model, 'create', [values], {}]);
    if (typeof created !== 'number') throw new Error(`Odoo ${model}.create answered ${JSON.stringify(created)}, not an id`);
    return created;
  }

  private async authenticate(): Promise<number> {
    if (this.uid !== undefined) return this.uid;
    const uid = await this.call('common', 'authenticate', [this.connection.database, this.connection.login, this.connection.apiKey, {}]);
    if (typeof uid !== 'number') throw new Error(`Odoo ${this.connection.url} refused login ${this.connection.login} on database ${this.connection.database}`);
    this.uid = uid;
    return uid;
  }

  private async call(service: string, method: string, args: unknown[]): Promise<unknown> {
    const response = await fetch(`${this.connection.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: Date.now() }),
    });
    const body = (await response.json()) as { result?: unknown; error?: { data?: { message?: string }; message?: string } };
    if (body.error) throw new Error(`Odoo ${service}.${method}: ${body.error.data?.message ?? body.error.message ?? 'error'}`);
    return body.result;
  }
}
