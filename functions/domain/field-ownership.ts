import { type IdentityConfig, ownerOf, type OwnedField, type WriteSource } from './identity-config';
import type { PartnerWrite } from './partner-gateway';

/** A record's partner values grouped by the canonical field they carry (the unit the ownership policy speaks of). */
export type OwnedPartnerValues = Partial<Record<OwnedField, PartnerWrite>>;

export interface OwnedWrite {
  /** What the source may write. */
  readonly values: PartnerWrite;
  /** Fields the source does not own and had a value for: dropped, to be counted and logged by the caller. */
  readonly dropped: OwnedField[];
}

/**
 * The part of a write its source may apply. A partner that does not exist yet takes every field from whichever
 * system creates it (there is nothing of the owner's to override, and Odoo needs a name); once it exists, a field is
 * written only by its owner (`odoo`: by nobody). `always` is written by every source (the partner's kind).
 */
export function ownedWrite(config: IdentityConfig, source: WriteSource, grouped: OwnedPartnerValues, always: PartnerWrite, partnerExists: boolean): OwnedWrite {
  let values: PartnerWrite = { ...always };
  const dropped: OwnedField[] = [];
  for (const [field, fieldValues] of Object.entries(grouped) as [OwnedField, PartnerWrite][]) {
    if (!partnerExists || ownerOf(config, field) === source) values = { ...values, ...fieldValues };
    else if (Object.values(fieldValues).some((value) => value !== false && value !== null && value !== undefined)) dropped.push(field);
  }
  return { values, dropped };
}
