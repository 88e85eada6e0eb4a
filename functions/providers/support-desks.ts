import type { SourceSystem } from '../../events/envelope';
import type { SupportDesk } from '../domain/support-desk';
import { configuredSystems } from './registry';
import { zendeskSupportDeskFromEnv } from './zendesk/zendesk-api-from-env';

/** A provider that is a support desk: its client for the support flows, built from the function's environment. */
export interface SupportDeskRow {
  readonly system: SourceSystem;
  supportDeskFromEnv(env: NodeJS.ProcessEnv): SupportDesk;
}

/**
 * One row per support-desk provider. Apart from the registry so that only the support flows bundle the desk's
 * client (the other consumers need the registry's facts only).
 */
export const SUPPORT_DESKS: readonly SupportDeskRow[] = [{ system: 'zendesk', supportDeskFromEnv: zendeskSupportDeskFromEnv }];

/**
 * The stage's support desk (the first configured one: a stage runs one desk), or undefined when it runs none: the
 * entitlements are then derived and published with no organization to keep in step.
 */
export function supportDeskFromEnv(env: NodeJS.ProcessEnv = process.env): SupportDesk | undefined {
  // The stack names no provider to a support flow of a stage without a desk.
  if (env['PROVIDER_SYSTEMS'] === undefined) return undefined;
  const systems = configuredSystems(env);
  return SUPPORT_DESKS.find((row) => systems.includes(row.system))?.supportDeskFromEnv(env);
}
