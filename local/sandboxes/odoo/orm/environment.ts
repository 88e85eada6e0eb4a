import type { OdooVersion } from '../server-version';
import type { OdooStore } from '../store';
import { versionDifferences, type VersionDifferences } from '../version-differences';
import type { Model } from './model';

/** The uid of the `admin` user in a fresh Odoo database, as in the fixtures. */
export const ADMIN_UID = 2;

export type OdooContext = Record<string, unknown>;

export interface ModelLookup {
  /** The model, or `undefined` when no such model is installed. */
  find(name: string): Model | undefined;
  /** The model; a sandbox bug if it is not installed. */
  get(name: string): Model;
  all(): Model[];
}

/**
 * What every model method runs with, like Odoo's `self.env`: the database, the installed models,
 * the Odoo version being impersonated (where behaviour differs), the user and the call's context.
 */
export class OdooEnvironment {
  constructor(
    readonly store: OdooStore,
    readonly models: ModelLookup,
    readonly version: OdooVersion,
    readonly uid: number,
    readonly context: OdooContext,
  ) {}

  /** What this Odoo version does differently (draft names, payment reconciliation, field names...). */
  get differences(): VersionDifferences {
    return versionDifferences(this.version);
  }

  model(name: string): Model {
    return this.models.get(name);
  }

  withContext(extra: OdooContext): OdooEnvironment {
    return new OdooEnvironment(this.store, this.models, this.version, this.uid, { ...this.context, ...extra });
  }

  /** `fields.Date.context_today`: the sandbox runs in UTC. */
  today(): string {
    return new Date().toISOString().slice(0, 10);
  }

  /** A datetime as Odoo serializes it: `2026-11-23 18:41:43`, UTC. */
  now(): string {
    return new Date().toISOString().slice(0, 19).replace('T', ' ');
  }

  /** `active_test` defaults to true: archived records are hidden unless the caller asks for them. */
  get activeTest(): boolean {
    return this.context.active_test !== false;
  }
}
