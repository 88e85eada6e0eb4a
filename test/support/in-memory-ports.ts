import type { IdentityMap, SystemRef } from '../../functions/domain/identity-map';
import type { PartnerGateway, PartnerValues } from '../../functions/domain/partner-gateway';
import type { Watermark, WatermarkStore } from '../../functions/domain/watermark';
import { EntityBusyError } from '../../functions/state/watermark-table';

/** Odoo partners with external ids, as the real `load()`/`write` behave, counting calls. */
export class InMemoryPartners implements PartnerGateway {
  readonly records = new Map<number, PartnerValues & { active: boolean }>();
  readonly externalIds = new Map<string, number>();
  calls = 0;
  private nextId = 1;

  async upsert(externalId: string, values: PartnerValues, knownId?: number) {
    this.calls += 1;
    const id = knownId ?? this.externalIds.get(externalId) ?? this.nextId++;
    this.records.set(id, { ...values, active: this.records.get(id)?.active ?? true });
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
