/**
 * What the Odoo contract tests set up the same way: the recorded contract replayed against a sandbox, a
 * sandbox per suite with a fresh client per case, and the billing config, taxes, customer and ports the
 * use cases start from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerSnapshot } from '../../../events/customer-upserted';
import type { BillingConfig } from '../../../functions/domain/billing-config';
import { OdooClient, resetDatabaseGuards, upsertByExternalId } from '../../../functions/erp/odoo';
import { OdooBillingLedger } from '../../../functions/erp/odoo/billing-ledger';
import { OdooPartnerGateway } from '../../../functions/erp/odoo/partner-gateway';
import { SANDBOX_API_KEY, startOdooSandbox, type OdooSandbox } from '../../../local/sandboxes/odoo/server';
import { InMemoryBillingSource } from '../../support/in-memory-billing';
import { InMemoryIdentityMap, InMemoryWatermarks, customerIdentityTestPorts } from '../../support/in-memory-ports';
import { loadOdooContractIndex, loadOdooFixtures, normalizeOdooPayload, replayOdooRequest, withApiKey, type OdooContractFolder } from './odoo-fixtures';

export interface SandboxTarget {
  readonly version: '18.0' | '19.0';
  readonly transport: 'jsonrpc' | 'json2';
}

/** Each use case runs against both: Odoo 18 over JSON-RPC, Odoo 19 over JSON-2. */
export const SANDBOX_TARGETS = [
  { version: '18.0', transport: 'jsonrpc' },
  { version: '19.0', transport: 'json2' },
] as const satisfies readonly SandboxTarget[];

/** The seeded company's bank journal (the sales journal is 1). */
export const SANDBOX_BANK_JOURNAL = 6;

/**
 * The recorded contract of `folder` replayed, case after case, against a sandbox of `version` saving to a
 * fresh data directory: every answer as recorded, and the numbers of documents the fixtures date exactly as
 * recorded.
 */
export function describeRecordedContractReplay(folder: OdooContractFolder, version: SandboxTarget['version'], title: string): void {
  const fixtures = loadOdooFixtures(folder);

  describe(title, () => {
    let sandbox: OdooSandbox;
    let dataDir: string;
    const replayedBodies = new Map<string, unknown>();

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `odoo-sandbox-${version.split('.')[0]}-`));
      sandbox = await startOdooSandbox({ version, dataDir });
    });

    afterAll(async () => {
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('serves the database the fixtures were recorded against', () => {
      expect(loadOdooContractIndex(folder).database).toBe(`odoo${version.split('.')[0]}`);
      expect(fixtures).toHaveLength(loadOdooContractIndex(folder).order.length);
    });

    // One test per case, in recorded order: later cases use the records earlier ones created.
    for (const fixture of fixtures) {
      it(`${fixture.name}: ${fixture.note}`, async () => {
        const replayed = await replayOdooRequest(sandbox.url, withApiKey(fixture.request, SANDBOX_API_KEY));
        replayedBodies.set(fixture.name, replayed.body);

        expect(replayed.status).toBe(fixture.response.status);
        expect(normalizeOdooPayload(replayed.body)).toStrictEqual(normalizeOdooPayload(fixture.response.body));
      });
    }

    // The replay above hides sequence names (today's date decides some); those of documents dated by the
    // fixtures themselves must come out exactly as recorded.
    it('numbers documents dated in the fixtures exactly as recorded', () => {
      for (const name of ['account.move.action_post.again', 'account.move.read.posted', 'account.payment.search_read', 'sale.order.read']) {
        const recorded = fixtures.find((fixture) => fixture.name === name)?.response.body;
        const keepSequenceNames = { sequenceNames: false };
        expect(normalizeOdooPayload(replayedBodies.get(name), keepSequenceNames), name).toStrictEqual(normalizeOdooPayload(recorded, keepSequenceNames));
      }
    });
  });
}

/**
 * A sandbox of `target.version` for the enclosing describe block (started before its first case, closed after
 * its last), and the contract tests' starting point for each case: `freshClient` empties the sandbox's
 * database and returns a client of it over `target.transport`, every Odoo call reported to `onCall`
 * (`res.partner.load`), with no rate limit to wait on.
 */
export function sandboxForSuite(target: SandboxTarget, apiKey: string): { freshClient(onCall: (operation: string) => void): OdooClient } {
  let sandbox: OdooSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startOdooSandbox({ port: 0, apiKey, version: target.version });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return {
    freshClient(onCall) {
      if (!sandbox) throw new Error('the sandbox starts in beforeAll: ask for a client in a hook or a case');
      resetDatabaseGuards();
      sandbox.reset();
      return new OdooClient({
        connection: { url: sandbox.url, database: `odoo${target.version.split('.')[0]}`, login: 'admin', transport: target.transport, ratePerSecond: 1000 },
        apiKey: { get: async () => apiKey, invalidate: () => undefined },
        onCall: ({ operation }) => onCall(operation),
      });
    },
  };
}

/** Every currency booked in the seeded company, its sales and bank journals; `taxes` as the case maps them. */
export function sandboxBillingConfig(taxes: BillingConfig['taxes'] = [], writeOffUncollectible = false): BillingConfig {
  return {
    companies: [{ account: null, currency: '*', companyId: 1, salesJournalId: 1, bankJournalId: SANDBOX_BANK_JOURNAL }],
    taxes,
    writeOffUncollectible,
    standingTags: { pastDue: 'Past due', disputed: 'Disputed', uncollectible: 'Uncollectible' },
  };
}

/** A sale tax of `percent` %, price-exclusive unless `inclusive`, as finance would set it up in Odoo. */
export async function createSaleTax(client: OdooClient, name: string, percent: number, inclusive = false): Promise<number> {
  const [id] = await client.call<number[]>('account.tax', 'create', {
    vals_list: [{ name, amount: percent, amount_type: 'percent', type_tax_use: 'sale', price_include_override: inclusive ? 'tax_included' : 'tax_excluded' }],
  });
  return id!;
}

/** What the customer flow leaves in Odoo for a Stripe customer: a company partner under its external id. */
export async function syncedCustomerPartner(client: OdooClient, customerId: string, name: string): Promise<number> {
  const { id } = await upsertByExternalId(client, 'res.partner', `saas_sync.stripe_customer_${customerId}`, { name, ref: customerId, is_company: true });
  return id;
}

/** The billing flows' ports over the sandbox: the Odoo ledger and partners, `customer` known to the provider. */
export function sandboxBillingPorts(client: OdooClient, config: BillingConfig, customer: CustomerSnapshot) {
  const source = new InMemoryBillingSource();
  source.customers.set(customer.id, customer);
  return {
    ledger: new OdooBillingLedger(client),
    source,
    partners: new OdooPartnerGateway(client),
    identityMap: new InMemoryIdentityMap(), ...customerIdentityTestPorts(),
    watermarks: new InMemoryWatermarks(),
    config,
  };
}
