import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { HUBSPOT_WRITE_BACK_DEFAULTS, resolveStage, type StageConfig } from '../../lib/config/stages';
import { SyncStack } from '../../lib/sync-stack';

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const HUBSPOT: NonNullable<StageConfig['hubspot']> = {
  portalId: '48975575',
  appId: '39522895',
  appSecretName: 'odoo-saas-sync/prod/hubspot-app-secret',
  accessTokenSecretName: 'odoo-saas-sync/prod/hubspot-access-token',
  requestsPer10Seconds: 190,
  companyCurrency: 'EUR',
};

function prodStack(hubspot: StageConfig['hubspot']): { stack: SyncStack; template: Template } {
  const { config } = resolveStage('prod');
  const stack = new SyncStack(new App({ context: NO_BUNDLING }), 'HubspotStack', { stage: 'prod', config: { ...config, hubspot }, env: config.env });
  return { stack, template: Template.fromStack(stack) };
}

const functionsOf = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'));
const variablesOf = (template: Template, idPrefix: string) =>
  functionsOf(template).find(([id]) => id.startsWith(idPrefix))?.[1].Properties.Environment.Variables as Record<string, unknown> | undefined;
const routeParts = (template: Template) => Object.values(template.findResources('AWS::ApiGateway::Resource')).map((resource) => resource.Properties.PathPart);

describe('HubSpot ingest', () => {
  it('is absent from a stage without HubSpot settings', () => {
    const { template } = prodStack(undefined);
    expect(routeParts(template)).not.toContain('hubspot');
    expect(functionsOf(template).some(([id]) => id.startsWith('HubSpotIngest'))).toBe(false);
  });

  it('routes POST /webhooks/hubspot to its ingest with both secrets, the portal, app and rate limit, and the stack’s own URL to check signatures against', () => {
    const { template } = prodStack(HUBSPOT);
    expect(routeParts(template)).toEqual(expect.arrayContaining(['stripe', 'hubspot']));
    const ingest = variablesOf(template, 'HubSpotIngest')!;
    expect(ingest).toMatchObject({
      HUBSPOT_APP_SECRET_NAME: HUBSPOT.appSecretName,
      HUBSPOT_ACCESS_TOKEN_SECRET_NAME: HUBSPOT.accessTokenSecretName,
      HUBSPOT_PORTAL_ID: '48975575',
      HUBSPOT_APP_ID: '39522895',
      HUBSPOT_COMPANY_CURRENCY: 'EUR',
      HUBSPOT_REQUESTS_PER_10_SECONDS: '190',
    });
    // https://<rest api id>.execute-api.<region>.<suffix>/prod/webhooks/hubspot, without referring to the deployed stage (a cycle).
    expect(JSON.stringify(ingest['HUBSPOT_WEBHOOK_URL'])).toMatch(/execute-api\..*\/prod\/webhooks\/hubspot/);
    expect(JSON.stringify(ingest['HUBSPOT_WEBHOOK_URL'])).toContain('WebhooksApi');
    // No billing flow holds HubSpot's token: the ingest and the write-back do.
    expect(variablesOf(template, 'Flowbillingsync')!['HUBSPOT_ACCESS_TOKEN_SECRET_NAME']).toBeUndefined();
  });

  it('gives the private app’s token and the write-back properties to the flows that write back (crm-sync, customer-sync) and the saga steps that write to the CRM, and to no billing flow', () => {
    const { template } = prodStack(HUBSPOT);
    for (const flow of ['Flowcrmsync', 'Flowcustomersync']) {
      const variables = variablesOf(template, flow)!;
      expect(variables, flow).toMatchObject({ CRM_SYSTEMS: 'hubspot', HUBSPOT_ACCESS_TOKEN_SECRET_NAME: HUBSPOT.accessTokenSecretName, HUBSPOT_REQUESTS_PER_10_SECONDS: '190' });
      expect(JSON.parse(String(variables['HUBSPOT_CRM_WRITE_BACK']))).toEqual(HUBSPOT_WRITE_BACK_DEFAULTS);
    }
    for (const flow of ['Flowbillingsync', 'Flowsubscriptionsync', 'Flowdealsync']) expect(variablesOf(template, flow)!['CRM_SYSTEMS'], flow).toBeUndefined();
    // Read access to that one secret, on the write-back flows' roles only.
    const readers = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(HUBSPOT.accessTokenSecretName))
      .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref.replace(/[0-9A-F]{8}$/, '')));
    const writers = readers.filter((role) => !role.startsWith('Saga'));
    expect(writers.sort()).toEqual([expect.stringMatching(/^Flowcrmsync/), expect.stringMatching(/^Flowcustomersync/), expect.stringMatching(/^HubSpotIngest/)]);
    // And, of the sagas, only the steps that write to the CRM (owner tasks, lifecycle, write-back, the undone note, the amendment's note).
    expect(readers.filter((role) => role.startsWith('Saga')).sort()).toEqual(
      ['SagaamendmentFunctionsUpdateCrm', 'SagadunningFunctionsCloseOwnerTask', 'SagadunningFunctionsCompleteOwnerTask', 'SagadunningFunctionsOpenOwnerTask', 'SagaoffboardingFunctionsMarkFormerCustomer', 'SagaonboardingFunctionsNoteUndoneOnDeal', 'SagaonboardingFunctionsWriteBackToCrm'].map((step) => expect.stringMatching(new RegExp(`^${step}Role`))),
    );
  });

  it('names the stage’s own write-back properties when it has them', () => {
    const writeBack = { ...HUBSPOT_WRITE_BACK_DEFAULTS, companyProperties: { odooPartnerId: 'erp_id', billingCustomerId: 'billing_id', customerId: 'sync_id' }, formerCustomerLifecycleStage: '1234567' };
    const { template } = prodStack({ ...HUBSPOT, writeBack });
    expect(JSON.parse(String(variablesOf(template, 'Flowcrmsync')!['HUBSPOT_CRM_WRITE_BACK']))).toEqual(writeBack);
  });

  it('checks signatures against the configured URL when the stage names one (a custom domain)', () => {
    const { template } = prodStack({ ...HUBSPOT, webhookUrl: 'https://hooks.example.com/webhooks/hubspot' });
    expect(variablesOf(template, 'HubSpotIngest')!['HUBSPOT_WEBHOOK_URL']).toBe('https://hooks.example.com/webhooks/hubspot');
  });

  it('passes cdk-nag AwsSolutions with HubSpot configured', () => {
    const { stack } = prodStack(HUBSPOT);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
