import { CircuitBreaker } from './circuit-breaker';
import type { OdooClock } from './odoo-clock';
import type { OdooConnectionConfig } from './odoo-config';
import { Semaphore } from './semaphore';
import { TokenBucket } from './token-bucket';
import type { DetectedTransport } from './transport-detection';

/**
 * The protections and caches of one Odoo database, shared by every client in the container (a flow
 * Lambda may build several clients; the limits must hold for all of them together).
 * The first client of a database fixes the settings and clock for the container's lifetime.
 */
export interface DatabaseGuards {
  readonly semaphore: Semaphore;
  readonly bucket: TokenBucket;
  readonly breaker: CircuitBreaker;
  /** The probed transport, once (cleared when the probe fails, to probe again). */
  detected: Promise<DetectedTransport> | undefined;
  /** JSON-RPC uid per credential fingerprint. */
  readonly uids: Map<string, Promise<number>>;
}

const registry = new Map<string, DatabaseGuards>();

export function databaseKey(config: Pick<OdooConnectionConfig, 'url' | 'database'>): string {
  return `${config.url}#${config.database}`;
}

export function guardsFor(config: OdooConnectionConfig, clock: OdooClock): DatabaseGuards {
  const key = databaseKey(config);
  let guards = registry.get(key);
  if (!guards) {
    guards = {
      semaphore: new Semaphore(config.maxConcurrency),
      bucket: new TokenBucket(config.ratePerSecond, Math.max(1, config.ratePerSecond), clock),
      breaker: new CircuitBreaker(config.breaker, () => clock.now()),
      detected: undefined,
      uids: new Map(),
    };
    registry.set(key, guards);
  }
  return guards;
}

/** Forget every database's state (tests; a container never needs it). */
export function resetDatabaseGuards(): void {
  registry.clear();
}
