import { type DealConfig, dealConfigSchema } from '../../domain/deal-config';
import { readEnv, readJsonConfig } from '../../platform/env';
import { text } from '../../platform/flow-consumer';

/** What the deal consumer reads besides Odoo and the state tables: `DEAL_CONFIG` (stage config `deals`) and the bus it announces won deals on. */
export function dealConfigFromEnv(): { config: DealConfig; busName: string } {
  const { EVENT_BUS_NAME } = readEnv({ EVENT_BUS_NAME: text() });
  return { config: readJsonConfig('DEAL_CONFIG', dealConfigSchema), busName: EVENT_BUS_NAME };
}
