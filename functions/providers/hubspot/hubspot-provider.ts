import type { ProviderModule } from '../provider-module';
import { hubspotCurrencyExponent } from './hubspot-currencies';

/**
 * HubSpot as the flows see it: its name in Odoo and its currency facts. A CRM bills nothing: it has no billing
 * source, and its records reach the flows whole (the ingest reads them), so no flow reads HubSpot.
 */
export const HUBSPOT_PROVIDER: ProviderModule = {
  system: 'hubspot',
  displayName: 'HubSpot',
  currencyExponent: hubspotCurrencyExponent,
};
