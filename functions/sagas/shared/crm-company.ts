import type { CrmWorkspace } from '../../domain/crm-workspace';
import type { CustomerDirectory } from '../../domain/customer-directory';

/**
 * The CRM company (account) of a canonical customer: the account key the one-customer resolution claimed for it
 * (`<crm>:account:<id>`, functions/flows/customer-identity.ts). Undefined when the customer has none: not every paying
 * customer is in the CRM (a self-serve sign-up), and a saga then has no company to write to — it says so in its
 * output rather than guess one.
 */
export async function crmCompanyOf(directory: Pick<CustomerDirectory, 'keysOf'>, crm: Pick<CrmWorkspace, 'system'>, customer: string): Promise<string | undefined> {
  const prefix = `${crm.system}:account:`;
  const accounts = (await directory.keysOf(customer)).filter((key) => key.startsWith(prefix)).sort();
  return accounts[0]?.slice(prefix.length);
}
