import type { ProviderModule } from '../provider-module';
import { salesforceCurrencyExponent } from './salesforce-currencies';

/**
 * Salesforce as the flows see it: its name in Odoo and its currency facts. A CRM bills nothing: it has no billing
 * source, and its records reach the flows whole (the ingest reads them), so no flow reads Salesforce.
 */
export const SALESFORCE_PROVIDER: ProviderModule = {
  system: 'salesforce',
  displayName: 'Salesforce',
  currencyExponent: salesforceCurrencyExponent,
};
