/** Odoo `res.partner` values this project writes (community edition fields only). */
export interface PartnerValues {
  name: string;
  email: string | false;
  phone: string | false;
  ref: string;
  street: string | false;
  street2: string | false;
  city: string | false;
  zip: string | false;
  is_company: boolean;
  /** The VAT / tax id (written when the source knows one). */
  vat?: string | false;
  website?: string | false;
  /** A contact's company partner (a child partner of a company). */
  parent_id?: number | false;
  function?: string | false;
  /** Archived (`false`) or not: written to bring back the partner of a record restored in its system. */
  active?: boolean;
}

/** A write to a partner: an existing partner takes any subset of its fields (those its source owns). */
export type PartnerWrite = Partial<PartnerValues>;

/** The port through which flows write partners; the Odoo adapter implements it. */
export interface PartnerGateway {
  /**
   * Creates or updates the partner bound to `externalId` (module `saas_sync`). With `knownId` (from the
   * identity map) an update costs one call; a new partner costs at most two.
   */
  upsert(externalId: string, values: PartnerWrite, knownId?: number): Promise<{ id: number }>;
  /** Archives the partner (Odoo keeps its invoices and history); resolves the id from `externalId` if unknown. */
  archive(externalId: string, knownId?: number): Promise<{ archived: boolean }>;
}
