import type { StageConfig } from '../../lib/config/stages';
import type { ExtraJournal } from '../sandboxes/odoo/seed';
import { HUBSPOT_SANDBOX_BINDING } from '../sandboxes/hubspot/dev-environment-binding';
import { PAYPAL_SANDBOX_BINDING } from '../sandboxes/paypal/dev-environment-binding';
import { SALESFORCE_SANDBOX_BINDING } from '../sandboxes/salesforce/dev-environment-binding';
import { STRIPE_SANDBOX_BINDING } from '../sandboxes/stripe/dev-environment-binding';
import { ZENDESK_SANDBOX_BINDING } from '../sandboxes/zendesk/dev-environment-binding';

/**
 * How the dev environment runs the stack against one provider with no account there: the signing secret its
 * ingest expects locally, and the read API its flows call (the provider's sandbox, or the real API when
 * credentials are given). One row per provider, in local/sandboxes/<system>/dev-environment-binding.ts.
 */
export interface ProviderSandboxBinding {
  /** The provider's webhook route (lib/providers.ts). */
  readonly route: string;
  /** `Stripe`: how the start banner names it. */
  readonly name: string;
  /**
   * The signing secret `npm start` seeds on first start: it signs nothing outside this machine. Absent for a
   * provider that signs with a key pair and a certificate its sandbox serves (nothing secret to seed).
   */
  readonly developmentSigningSecret?: string;
  /** `{ <secret name>: value }`: where the stack's ingest reads its signing secret from (with `developmentSigningSecret`). */
  signingSecretSeeds?(config: StageConfig, signingSecret: string): Record<string, string>;
  /** The sandbox's port under `npm start` (a free one elsewhere): the port its clients' tools expect. */
  readonly developmentPort: number;
  /**
   * The journals the Odoo sandbox needs for the provider beyond a fresh Odoo's (its own bank journal, at the id the
   * stage's billing routes name): seeded when the dev environment starts the sandbox.
   */
  odooJournals?(config: StageConfig): ExtraJournal[];
  /** The read API the flows call: the sandbox (its data in `dataDir`, in memory without), or the real API when `realApiFrom` names credentials. */
  startApi(options: { config: StageConfig; dataDir?: string; port?: number; realApiFrom?: NodeJS.ProcessEnv }): Promise<Omit<ProviderApi, 'providerName'>>;
}

export interface ProviderApi {
  /** The provider's name (its binding's). */
  readonly providerName: string;
  /** One line for the start banner: which API, which key, where its data is. */
  readonly description: string;
  /** Secrets served from memory whatever `secrets.json` holds (the API key). */
  readonly secretOverrides: Readonly<Record<string, string>>;
  /** Variables set on every function (the sandbox's URL). */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** The sandbox's base URL (seeding, faults); undefined when the real API is used. */
  readonly sandboxUrl: string | undefined;
  /**
   * The headers that make `rawBody` a correctly signed delivery to the provider's route, when the sandbox holds
   * the signing key (a key pair it made); a provider signing with a shared secret is signed with that secret.
   */
  webhookHeaders?(rawBody: string, options?: { transmittedAt?: Date }): Record<string, string>;
  /**
   * Told of the running stack (at each start and restart): a provider whose sandbox delivers events itself sends them
   * there — a relay onto a partner event bus to the EventBridge endpoint, an event subscription to the provider's
   * webhook. Returns what it connected, for the start banner (nothing to say: undefined).
   */
  connectStack?(stack: ConnectedStack): string | undefined;
  close(): Promise<void>;
}

/** The running stack as a sandbox that delivers events sees it. */
export interface ConnectedStack {
  readonly eventBridgeUrl: string;
  readonly region: string;
  /** The stack's `POST /webhooks/<route>` of this provider (the port changes at each start outside `npm start`). */
  readonly webhookUrl: string;
}

export const PROVIDER_SANDBOXES: readonly ProviderSandboxBinding[] = [STRIPE_SANDBOX_BINDING, PAYPAL_SANDBOX_BINDING, HUBSPOT_SANDBOX_BINDING, SALESFORCE_SANDBOX_BINDING, ZENDESK_SANDBOX_BINDING];
