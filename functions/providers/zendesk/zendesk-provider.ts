import type { ProviderModule } from '../provider-module';

/**
 * Zendesk as the flows see it: its name (what Odoo notes say). A support desk bills nothing: it has no billing
 * source and no amounts of its own (its currency facts are never asked; ISO 4217's two decimals if they are).
 */
export const ZENDESK_PROVIDER: ProviderModule = {
  system: 'zendesk',
  displayName: 'Zendesk',
  currencyExponent: () => 2,
};
