import type { CustomerDirectory } from '../domain/customer-directory';
import {
  CANONICAL_CUSTOMER,
  type CustomerCandidate,
  canonicalCustomerKey,
  customerIdFor,
  customerPartnerExternalId,
  resolutionKeys,
} from '../domain/customer-resolution';
import { type OwnedPartnerValues, ownedWrite } from '../domain/field-ownership';
import type { IdentityConfig, OwnedField, WriteSource } from '../domain/identity-config';
import type { IdentityMap } from '../domain/identity-map';
import type { PartnerGateway, PartnerWrite } from '../domain/partner-gateway';
import type { PartnerMerger } from '../domain/partner-merger';
import { ODOO_PARTNER } from './known-partner';

/**
 * One customer across every system (README "One customer across systems"): every record resolves to a canonical
 * customer id, and every canonical customer has one Odoo partner, whichever system spoke first.
 *
 * The resolution claims keys in the directory, the record's own key first, then its explicit links, then its match
 * keys, in the stage's order. A key another customer already holds means: the record is that customer (explicit
 * links, or a customer this resolution had just minted — two first events about one company racing), or, for a match
 * key of a record already resolved, that two customers share a domain or VAT (evidence, not proof: both stay). Two
 * customers found to be one are joined by a forward (`saas_sync:customer:<absorbed>` → survivor), so every key still
 * leads to the survivor, whoever claimed it and whenever.
 */

export interface CustomerIdentityPorts {
  readonly directory: CustomerDirectory;
  readonly identityMap: IdentityMap;
  readonly partners: PartnerGateway;
  readonly merger: PartnerMerger;
  readonly identity: IdentityConfig;
  /** Told of every field a non-owner wrote and that was dropped (a metric and a log line in production). */
  readonly onDroppedField: (drop: { field: OwnedField; source: WriteSource; record: string; customerId: string }) => void;
}

export interface CustomerMerge {
  readonly survivor: string;
  readonly absorbed: string;
}

export interface CustomerResolution {
  readonly customerId: string;
  /** Customers this resolution found to be the survivor: their partners are consolidated next. */
  readonly merges: readonly CustomerMerge[];
}

/** Forwards longer than this are a bug, not data. */
const MAX_FORWARDS = 16;

/**
 * The canonical customer an id has become: its forwards followed. Two forwards racing in opposite directions make a
 * cycle; every reader then takes the cycle's smallest id, so they still agree.
 */
export async function canonicalCustomer(directory: CustomerDirectory, customerId: string): Promise<string> {
  const seen: string[] = [customerId];
  let current = customerId;
  for (let step = 0; step < MAX_FORWARDS; step++) {
    const next = await directory.holderOf(canonicalCustomerKey(current));
    if (next === undefined || next === current) return current;
    const loop = seen.indexOf(next);
    if (loop >= 0) return seen.slice(loop).sort()[0]!;
    seen.push(next);
    current = next;
  }
  throw new Error(`customer ${customerId}: more than ${MAX_FORWARDS} forwards`);
}

/**
 * Every customer joined into `survivor`: those forwarded to it, and those forwarded to one of them, and so on. What
 * they held before the join (their entitlement facts) is the survivor's now. (The directory's index of a customer's
 * keys is eventually consistent: a join of the last moment may be missing, and is found on a later call.)
 */
export async function absorbedCustomers(directory: CustomerDirectory, survivor: string): Promise<string[]> {
  return (await customerKeys(directory, survivor)).absorbed;
}

/**
 * The keys `survivor` holds and those of every customer joined into it (`absorbed`, sorted), each customer's keys
 * read once: the walk that finds the joined customers reads their keys anyway.
 */
export async function customerKeys(directory: CustomerDirectory, survivor: string): Promise<{ keys: string[]; absorbed: string[] }> {
  const forwardPrefix = canonicalCustomerKey('');
  const keys: string[] = [];
  const absorbed: string[] = [];
  const pending = [survivor];
  for (let customer = pending.pop(); customer !== undefined; customer = pending.pop()) {
    for (const key of await directory.keysOf(customer)) {
      keys.push(key);
      if (!key.startsWith(forwardPrefix)) continue;
      const joined = key.slice(forwardPrefix.length);
      if (joined === survivor || absorbed.includes(joined)) continue;
      absorbed.push(joined);
      pending.push(joined);
    }
  }
  return { keys, absorbed: absorbed.sort() };
}

async function holderOf(directory: CustomerDirectory, key: string): Promise<string | undefined> {
  const holder = await directory.holderOf(key);
  return holder === undefined ? undefined : canonicalCustomer(directory, holder);
}

/** Joins `absorbed` into `survivor` (a forward claimed for the absorbed); returns the customer both now are. */
async function join(directory: CustomerDirectory, survivor: string, absorbed: string, merges: CustomerMerge[]): Promise<string> {
  let target = survivor;
  let other = absorbed;
  for (let step = 0; step < MAX_FORWARDS && other !== target; step++) {
    const holder = await directory.claim(canonicalCustomerKey(other), target);
    if (holder === target) {
      merges.push({ survivor: target, absorbed: other });
      return canonicalCustomer(directory, target);
    }
    // The absorbed was forwarded elsewhere meanwhile: join where it went.
    other = await canonicalCustomer(directory, holder);
    target = await canonicalCustomer(directory, target);
  }
  return canonicalCustomer(directory, target);
}

export async function resolveCustomer(ports: Pick<CustomerIdentityPorts, 'directory' | 'identity'>, candidate: CustomerCandidate): Promise<CustomerResolution> {
  const { directory } = ports;
  const keys = resolutionKeys(candidate, ports.identity);
  const merges: CustomerMerge[] = [];

  // The record's own key first, then its keys in order: the first one held names the customer. Looked up at once
  // (one round trip, not one per key); the claims below are what settles a race, not these reads.
  const holders = await Promise.all([candidate.entityKey, ...keys.map(({ key }) => key)].map((key) => directory.holderOf(key)));
  const firstHolder = holders.find((holder) => holder !== undefined);
  let chosen = firstHolder === undefined ? undefined : await canonicalCustomer(directory, firstHolder);
  let minted = chosen === undefined;
  chosen ??= customerIdFor(candidate.entityKey);

  // Every key claimed at once for the customer chosen, then the answers taken in order, as one claim after the other
  // would have met them: what another customer holds decides as before. Once a join changes the customer chosen, the
  // keys left are claimed again, one by one, for the new one; those the first round claimed for the old one lead
  // there by its forward (counted as a join, which consolidation finds nothing to do for).
  const claiming = [{ key: candidate.entityKey, evidence: 'explicit' as const }, ...keys];
  const firstChoice = chosen;
  const firstClaims = await Promise.all(claiming.map(({ key }) => directory.claim(key, firstChoice)));
  // The customer chosen may have been joined into another meanwhile: read once for all the claims it won.
  const firstChoiceNow = firstClaims.includes(firstChoice) ? await canonicalCustomer(directory, firstChoice) : firstChoice;
  let joined = false;

  for (const [index, { key, evidence }] of claiming.entries()) {
    const claimedBy: string = chosen === firstChoice ? firstClaims[index]! : await directory.claim(key, chosen);
    const holder: string = chosen === firstChoice && claimedBy === firstChoice ? firstChoiceNow : await canonicalCustomer(directory, claimedBy);
    if (holder === chosen) {
      // Held by a customer joined into this one before: report the join again, so that partners a failed attempt left
      // unconsolidated are consolidated now (consolidation is idempotent).
      if (claimedBy !== chosen) merges.push({ survivor: chosen, absorbed: claimedBy });
      continue;
    }
    if (minted) {
      // Another resolution got here first with the same company: this one is theirs (the minted id is forwarded, so
      // a key it claimed meanwhile still leads there).
      chosen = await join(directory, holder, chosen, merges);
      minted = false;
      joined = true;
    } else if (evidence === 'explicit') {
      // A link between two customers that exist: they are one company. The customer found first keeps the name.
      chosen = await join(directory, chosen, holder, merges);
      joined = true;
    }
  }
  // No join, and the first choice's forward was read after its claims and found none: that read is the answer
  // (reading it again at once would only see a join of the last milliseconds, which every later reader follows
  // anyway). After a join, or without that read, the customer is read anew.
  const settledAfterClaims = !joined && chosen === firstChoice && firstChoiceNow === firstChoice && firstClaims.includes(firstChoice);
  return { customerId: settledAfterClaims ? firstChoice : await canonicalCustomer(directory, chosen), merges };
}

/** An absorbed customer whose partner was flagged for review beside the survivor's (the id: the survivor's partner). */
const REVIEW_FLAG = { system: 'saas_sync', kind: 'review_flagged' } as const;

/** The Odoo partner of a canonical customer, if it has one. */
export async function partnerOfCustomer(identityMap: IdentityMap, customerId: string): Promise<number | undefined> {
  const known = await identityMap.find(canonicalCustomerKey(customerId), ODOO_PARTNER.system, ODOO_PARTNER.kind);
  return known === undefined ? undefined : Number(known);
}

/**
 * After a join: the survivor keeps one partner. The absorbed customer's partner becomes the survivor's when the
 * survivor has none; two partners are merged in Odoo (or flagged for review, by configuration), and every record
 * that pointed at the absorbed partner is relinked to the survivor's.
 */
export async function consolidatePartners(ports: CustomerIdentityPorts, merges: readonly CustomerMerge[]): Promise<void> {
  for (const { survivor, absorbed } of merges) {
    const absorbedPartner = await partnerOfCustomer(ports.identityMap, absorbed);
    if (absorbedPartner === undefined) continue;
    const survivorPartner = await partnerOfCustomer(ports.identityMap, survivor);
    if (survivorPartner === undefined || survivorPartner === absorbedPartner) {
      await ports.identityMap.link(canonicalCustomerKey(survivor), { ...ODOO_PARTNER, id: String(absorbedPartner) });
      continue;
    }
    if (ports.identity.onDuplicatePartners === 'review') {
      // Once per pair: the note is for a person, and every later event of the company would repeat it.
      const flagged = await ports.identityMap.find(canonicalCustomerKey(absorbed), REVIEW_FLAG.system, REVIEW_FLAG.kind);
      if (flagged === String(survivorPartner)) continue;
      await ports.merger.flagForReview([survivorPartner, absorbedPartner], `customers ${survivor} and ${absorbed} were found to be one company`);
      await ports.identityMap.link(canonicalCustomerKey(absorbed), { ...REVIEW_FLAG, id: String(survivorPartner) });
      continue;
    }
    await ports.merger.merge(survivorPartner, absorbedPartner);
    await ports.identityMap.link(canonicalCustomerKey(absorbed), { ...ODOO_PARTNER, id: String(survivorPartner) });
    for (const key of [...(await ports.directory.keysOf(survivor)), ...(await ports.directory.keysOf(absorbed))]) {
      const linked = await ports.identityMap.find(key, ODOO_PARTNER.system, ODOO_PARTNER.kind);
      if (linked === String(absorbedPartner)) await ports.identityMap.link(key, { ...ODOO_PARTNER, id: String(survivorPartner) });
    }
  }
}

export interface CustomerRecordWrite {
  readonly candidate: CustomerCandidate;
  readonly source: WriteSource;
  readonly values: OwnedPartnerValues;
  /** Written by any source (the partner's kind). */
  readonly always: PartnerWrite;
  /** Written only when the partner is created (e.g. the first system's reference). */
  readonly onCreate?: PartnerWrite;
}

/**
 * A customer record (a billing customer, a CRM account) → its canonical customer's partner: resolved, consolidated,
 * created or updated with the fields its source owns. Returns the customer and the partner.
 */
export async function writeCustomerPartner(ports: CustomerIdentityPorts, write: CustomerRecordWrite): Promise<{ customerId: string; partnerId: number }> {
  // The customer's partner, else (a record synced before customers were resolved) the one linked to the record
  // itself, the customer's winning. Both are read while the customer resolves (one round trip less): the record's
  // link, and the partner of the customer the record names itself when new — the one it resolves to unless another
  // customer had its keys first. Read before the claims rather than after: either way a partner linked a moment later
  // is found by its external id when the partner is written.
  const ownCustomer = customerIdFor(write.candidate.entityKey);
  const [[ownCustomerPartner, recordPartner], { customerId, merges }] = await Promise.all([
    Promise.all([partnerOfCustomer(ports.identityMap, ownCustomer), ports.identityMap.find(write.candidate.entityKey, ODOO_PARTNER.system, ODOO_PARTNER.kind)]),
    resolveCustomer(ports, write.candidate),
  ]);
  await consolidatePartners(ports, merges);
  // Another customer, or a join that may have given this one a partner: its partner read now.
  const customerPartner = customerId === ownCustomer && merges.length === 0 ? ownCustomerPartner : await partnerOfCustomer(ports.identityMap, customerId);
  let known = customerPartner ?? (recordPartner === undefined ? undefined : Number(recordPartner));
  known ??= await explicitPartner(ports, write.candidate);
  const { values, dropped } = ownedWrite(ports.identity, write.source, write.values, write.always, known !== undefined);
  for (const field of dropped) ports.onDroppedField({ field, source: write.source, record: write.candidate.entityKey, customerId });
  const { id } = await ports.partners.upsert(customerPartnerExternalId(customerId), known === undefined ? { ...values, ...write.onCreate } : values, known);
  // Independent links, written in one request (one round trip and one request, not four): a retry after a partial
  // failure writes them all again, and every reader of one of them finds the same partner through the others or the
  // external id. The customer is linked whenever its own link is not this partner yet (also when the partner came
  // from the record's link or an explicit id), so that what this returns is what the customer's link says (the CRM
  // write-back relies on it).
  await ports.identityMap.linkAll([
    ...(id === customerPartner ? [] : [{ entityKey: canonicalCustomerKey(customerId), ref: { ...ODOO_PARTNER, id: String(id) } }]),
    { entityKey: write.candidate.entityKey, ref: { ...ODOO_PARTNER, id: String(id) } },
    { entityKey: write.candidate.entityKey, ref: { ...CANONICAL_CUSTOMER, id: customerId } },
    { entityKey: write.candidate.entityKey, ref: { ...RECORD_STATE, id: 'live' } },
  ]);
  return { customerId, partnerId: id };
}

/** Whether a record still exists in its system (`live`) or was deleted there (`deleted <time>`). */
const RECORD_STATE = { system: 'saas_sync', kind: 'record_state' } as const;

/** Whether the record was last seen deleted in its system: a newer upsert of it is a restore (its partner unarchived). */
export async function recordWasDeleted(identityMap: IdentityMap, entityKey: string): Promise<boolean> {
  return (await identityMap.find(entityKey, RECORD_STATE.system, RECORD_STATE.kind))?.startsWith('deleted') ?? false;
}

/** Records that the record exists in its system (`live`) or was deleted there at `deletedAt`. */
export async function markRecordState(identityMap: IdentityMap, entityKey: string, state: { deletedAt: string } | 'live'): Promise<void> {
  await identityMap.link(entityKey, { ...RECORD_STATE, id: state === 'live' ? 'live' : `deleted ${state.deletedAt}` });
}

/** A directory key that names a record of a system (not a match key, a forward or an Odoo partner). */
export const isRecordKey = (key: string): boolean => !/^(match|saas_sync|odoo):/.test(key);

/**
 * A record deleted in its system: its customer's partner is archived (never deleted: Odoo keeps its invoices) —
 * unless another live record of the same customer (the company's CRM account, its other billing customer) still
 * has it, in which case the partner stays and only this record is marked deleted.
 */
export async function archiveRecordPartner(ports: CustomerIdentityPorts, entityKey: string, deletedAt: string): Promise<{ archived: boolean }> {
  await ports.identityMap.link(entityKey, { ...RECORD_STATE, id: `deleted ${deletedAt}` });
  const holder = await ports.directory.holderOf(entityKey);
  const customerId = holder === undefined ? customerIdFor(entityKey) : await canonicalCustomer(ports.directory, holder);
  if (holder !== undefined) {
    for (const key of await ports.directory.keysOf(customerId)) {
      if (key === entityKey || !isRecordKey(key)) continue;
      const state = await ports.identityMap.find(key, RECORD_STATE.system, RECORD_STATE.kind);
      if (state === 'live') return { archived: false };
    }
  }
  const recordPartner = await ports.identityMap.find(entityKey, ODOO_PARTNER.system, ODOO_PARTNER.kind);
  const known = (await partnerOfCustomer(ports.identityMap, customerId)) ?? (recordPartner === undefined ? undefined : Number(recordPartner));
  return ports.partners.archive(customerPartnerExternalId(customerId), known);
}

/** A record linked to an Odoo partner by id (billing metadata `odoo_partner_id`): that partner is the customer's. */
async function explicitPartner(ports: CustomerIdentityPorts, candidate: CustomerCandidate): Promise<number | undefined> {
  const link = candidate.links.find((each) => each.system === ODOO_PARTNER.system && each.kind === ODOO_PARTNER.kind && /^\d+$/.test(each.id));
  return link === undefined ? undefined : Number(link.id);
}
