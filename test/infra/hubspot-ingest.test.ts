import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { resolveStage, type StageConfig } from '../../lib/config/stages';
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
    // No flow reads HubSpot: its token is the ingest's only.
    expect(variablesOf(template, 'Flowbillingsync')!['HUBSPOT_ACCESS_TOKEN_SECRET_NAME']).toBeUndefined();
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
