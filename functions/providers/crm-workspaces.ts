import * as z from 'zod/mini';
import type { SourceSystem } from '../../events/envelope';
import type { CrmWorkspace } from '../domain/crm-workspace';
import { readEnv } from '../platform/env';
import { hubspotCrmWorkspaceFromEnv } from './hubspot/hubspot-api-from-env';
import { configuredSystems } from './registry';
import { salesforceCrmWorkspaceFromEnv } from './salesforce/salesforce-api-from-env';

/** A provider that is a CRM: its workspace for the write-back and the sagas' CRM steps, built from the function's environment. */
export interface CrmWorkspaceRow {
  readonly system: SourceSystem;
  crmWorkspaceFromEnv(env: NodeJS.ProcessEnv): CrmWorkspace;
}

/**
 * One row per CRM provider. Apart from the registry so that only the functions that write to the CRM bundle its
 * client (the other consumers need the registry's facts only).
 */
export const CRM_WORKSPACES: readonly CrmWorkspaceRow[] = [
  { system: 'hubspot', crmWorkspaceFromEnv: hubspotCrmWorkspaceFromEnv },
  { system: 'salesforce', crmWorkspaceFromEnv: salesforceCrmWorkspaceFromEnv },
];

/**
 * The stage's CRM (the first configured one: a stage writes back to one CRM), or undefined when it runs none or the
 * function is not given the CRM's credentials: then nothing is written to a CRM.
 *
 * `CRM_SYSTEMS` (comma-separated) is set by the stack only on the functions it grants the CRM's API to (the CRM
 * write-back, the sagas' CRM steps), apart from `PROVIDER_SYSTEMS`: a billing function is told of the CRM's events
 * (their source) without holding its write credentials.
 */
export function crmWorkspaceFromEnv(env: NodeJS.ProcessEnv = process.env): CrmWorkspace | undefined {
  const [first] = crmSystems(env);
  return first === undefined ? undefined : crmWorkspaceOf(first, env);
}

/**
 * The workspace of the CRM a record comes from (the write-back writes to the CRM the company lives in, whichever
 * the stage's first is), or undefined when the function is not given that CRM (or `system` is not a CRM).
 */
export function crmWorkspaceOf(system: SourceSystem, env: NodeJS.ProcessEnv = process.env): CrmWorkspace | undefined {
  if (!crmSystems(env).includes(system)) return undefined;
  return CRM_WORKSPACES.find((row) => row.system === system)?.crmWorkspaceFromEnv(env);
}

function crmSystems(env: NodeJS.ProcessEnv): SourceSystem[] {
  if (env['CRM_SYSTEMS'] === undefined) return [];
  const { CRM_SYSTEMS } = readEnv({ CRM_SYSTEMS: z.string().check(z.minLength(1)) }, env);
  return configuredSystems({ PROVIDER_SYSTEMS: CRM_SYSTEMS }).filter((system) => CRM_WORKSPACES.some((row) => row.system === system));
}
