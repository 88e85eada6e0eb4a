import { DEFAULT_IDENTITY_CONFIG, type IdentityConfig } from '../../functions/domain/identity-config';
import type { PartnerMerger } from '../../functions/domain/partner-merger';
import type { CustomerDirectory } from '../../functions/domain/customer-directory';
import type { EntityLink, IdentityMap, SystemRef } from '../../functions/domain/identity-map';
import type { PartnerGateway, PartnerValues, PartnerWrite } from '../../functions/domain/partner-gateway';
import type { Watermark, WatermarkStore } from '../../functions/domain/watermark';
import { EntityBusyError } from '../../functions/state/watermark-table';

/** Odoo partners with external ids, as the real `load()`/`write` behave, counting calls. */
export class InMemoryPartners implements PartnerGateway {
  readonly records = new Map<number, PartnerValues & { active: boolean }>();
  readonly externalIds = new Map<string, number>();
  calls = 0;
  private nextId = 1;

  async upsert(externalId: string, values: PartnerWrite, knownId?: number) {
    this.calls += 1;
    const id = knownId ?? this.externalIds.get(externalId) ?? this.nextId++;
    const current = this.records.get(id);
    if (current === undefined && values.name === undefined) throw new Error(`res.partner ${externalId}: a new partner needs a name`);
    this.records.set(id, { ...(current as PartnerValues), ...values, active: values.active ?? current?.active ?? true });
    this.externalIds.set(externalId, id);
    return { id };
  }

  async archive(externalId: string, knownId?: number) {
    this.calls += 1;
    const id = knownId ?? this.externalIds.get(externalId);
    const record = id === undefined ? undefined : this.records.get(id);
    if (!record) return { archived: false };
    record.active = false;
    return { archived: true };
  }
}

export class InMemoryIdentityMap implements IdentityMap {
  readonly links = new Map<string, string>();
  async find(entityKey: string, system: string, kind: string) {
    return this.links.get(`${entityKey}|${system}#${kind}`);
  }
  async link(entityKey: string, ref: SystemRef) {
    this.links.set(`${entityKey}|${ref.system}#${ref.kind}`, ref.id);
  }
  async linkAll(links: readonly EntityLink[]) {
    for (const { entityKey, ref } of links) await this.link(entityKey, ref);
  }
}

export class InMemoryWatermarks implements WatermarkStore {
  readonly watermarks = new Map<string, Watermark>();
  readonly leases = new Map<string, string>();
  async acquire(entityKey: string, owner: string) {
    const holder = this.leases.get(entityKey);
    if (holder !== undefined && holder !== owner) throw new EntityBusyError(`${entityKey} busy`);
    this.leases.set(entityKey, owner);
    return { watermark: this.watermarks.get(entityKey) };
  }
  async commit(entityKey: string, owner: string, watermark: Watermark) {
    if (this.leases.get(entityKey) !== owner) throw new Error('lease lost');
    this.watermarks.set(entityKey, watermark);
    this.leases.delete(entityKey);
  }
  async release(entityKey: string, owner: string) {
    if (this.leases.get(entityKey) === owner) this.leases.delete(entityKey);
  }
}

/** The customer directory as the DynamoDB one behaves: first claim wins, a later one learns the holder. */
export class InMemoryCustomerDirectory implements CustomerDirectory {
  readonly holders = new Map<string, string>();
  async holderOf(key: string) {
    return this.holders.get(key);
  }
  async claim(key: string, customerId: string) {
    const holder = this.holders.get(key);
    if (holder !== undefined) return holder;
    this.holders.set(key, customerId);
    return customerId;
  }
  async keysOf(customerId: string) {
    return [...this.holders].filter(([, holder]) => holder === customerId).map(([key]) => key);
  }
}

/** Partner merges as Odoo's wizard does them (the absorbed partner gone), and review flags, recorded. */
export class InMemoryPartnerMerger implements PartnerMerger {
  readonly merges: Array<[number, number]> = [];
  readonly flags: Array<readonly [number, number]> = [];
  constructor(private readonly partners: InMemoryPartners) {}
  async merge(survivorId: number, absorbedId: number) {
    this.merges.push([survivorId, absorbedId]);
    this.partners.records.delete(absorbedId);
    for (const [externalId, id] of this.partners.externalIds) if (id === absorbedId) this.partners.externalIds.set(externalId, survivorId);
  }
  async flagForReview(partnerIds: readonly [number, number]) {
    this.flags.push(partnerIds);
  }
}

/** The one-customer ports over in-memory adapters, with the default policy unless told otherwise; drops recorded. */
export function inMemoryIdentityPorts(overrides: { partners?: PartnerGateway; identityMap?: IdentityMap; identity?: Partial<IdentityConfig> } = {}) {
  const partners = overrides.partners ?? new InMemoryPartners();
  const drops: Array<{ field: string; source: string; record: string }> = [];
  return {
    partners,
    identityMap: overrides.identityMap ?? new InMemoryIdentityMap(),
    directory: new InMemoryCustomerDirectory(),
    merger: new InMemoryPartnerMerger(partners instanceof InMemoryPartners ? partners : new InMemoryPartners()),
    identity: { ...DEFAULT_IDENTITY_CONFIG, ...overrides.identity },
    drops,
    onDroppedField: (drop: { field: string; source: string; record: string }) => {
      drops.push({ field: drop.field, source: drop.source, record: drop.record });
    },
  };
}

/** The one-customer ports a billing test needs besides its own partners and identity map (default policy, no merges expected). */
export function customerIdentityTestPorts(partners = new InMemoryPartners()) {
  const { directory, merger, identity, onDroppedField } = inMemoryIdentityPorts({ partners });
  return { directory, merger, identity, onDroppedField };
}
