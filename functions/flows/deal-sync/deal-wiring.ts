import { type DealConfig, dealConfigSchema } from '../../domain/deal-config';
import { MissingConfigError, readEnv } from '../../platform/env';
import { text } from '../../platform/flow-consumer';
import { describeIssue } from '../../platform/validation-issues';

/** What the deal consumer reads besides Odoo and the state tables: `DEAL_CONFIG` (stage config `deals`) and the bus it announces won deals on. */
export function dealConfigFromEnv(): { config: DealConfig; busName: string } {
  const { DEAL_CONFIG, EVENT_BUS_NAME } = readEnv({ DEAL_CONFIG: text(), EVENT_BUS_NAME: text() });
  let json: unknown;
  try {
    json = JSON.parse(DEAL_CONFIG);
  } catch {
    throw new MissingConfigError(['DEAL_CONFIG: not JSON']);
  }
  const parsed = dealConfigSchema.safeParse(json);
  if (!parsed.success) throw new MissingConfigError(parsed.error.issues.map((issue) => `DEAL_CONFIG: ${describeIssue(issue)}`));
  return { config: parsed.data, busName: EVENT_BUS_NAME };
}
