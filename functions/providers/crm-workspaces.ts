import * as z from 'zod/mini';
import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';
import { readEnv } from '../platform/env';
import { hubspotCrmWorkspaceFromEnv } from './hubspot/hubspot-api-from-env';
import { configuredSystems } from './registry';

/** A provider that is a CRM: its workspace for the write-back and the sagas' CRM steps, built from the function's environment. */
export interface CrmWorkspaceRow {
  readonly system: SourceSystem;
  crmWorkspaceFromEnv(env: NodeJS.ProcessEnv): CrmWorkspace;
}

/**
 * One row per CRM provider. Apart from the registry so that only the functions that write to the CRM bundle its
 * client (the other consumers need the registry's facts only).
 */
export const CRM_WORKSPACES: readonly CrmWorkspaceRow[] = [{ system: 'hubspot', crmWorkspaceFromEnv: hubspotCrmWorkspaceFromEnv }];

/**
 * The stage's CRM (the first configured one: a stage writes back to one CRM), or undefined when it runs none or the
 * function is not given the CRM's credentials: then nothing is written to a CRM.
 *
 * `CRM_SYSTEMS` (comma-separated) is set by the stack only on the functions it grants the CRM's API to (the CRM
 * write-back, the sagas' CRM steps), apart from `PROVIDER_SYSTEMS`: a billing function is told of the CRM's events
 * (their source) without holding its write credentials.
 */
export function crmWorkspaceFromEnv(env: NodeJS.ProcessEnv = process.env): CrmWorkspace | undefined {
  if (env['CRM_SYSTEMS'] === undefined) return undefined;
  const { CRM_SYSTEMS } = readEnv({ CRM_SYSTEMS: z.string().check(z.minLength(1)) }, env);
  const systems = configuredSystems({ PROVIDER_SYSTEMS: CRM_SYSTEMS });
  return CRM_WORKSPACES.find((row) => systems.includes(row.system))?.crmWorkspaceFromEnv(env);
}
