import type { StageConfig } from './config/stages';

/** A Secrets Manager secret a provider's functions read by name (the stack never holds its value). */
export interface ProviderSecret {
  /** Construct id of the imported secret (`StripeWebhookSecret`): kept stable, the IAM policies' ids derive from it. */
  readonly id: string;
  /** The variable that tells the function the secret's name. */
  readonly environmentVariable: string;
  readonly secretName: (config: StageConfig) => string;
}

/**
 * One row per provider: what the stack needs to know of it. Everything else about a provider is in its
 * module (functions/providers/<system>/) and its stage settings (lib/config/stages.ts).
 */
export interface ProviderRow {
  /** The webhook route (`POST /webhooks/<route>`), which is also the source system of its canonical events. */
  readonly route: string;
  /** `Stripe`: the prefix of its constructs (`StripeIngest`) and of its metrics (`StripeWebhook<Outcome>`). */
  readonly name: string;
  /** The webhook handler, relative to functions/. */
  readonly ingestEntry: string;
  /** What only the webhook ingest reads (a signing secret). */
  readonly ingestSecrets: readonly ProviderSecret[];
  /** Non-secret settings of the ingest, by variable (e.g. a webhook id the signature covers). */
  readonly ingestEnvironment?: (config: StageConfig) => Readonly<Record<string, string>>;
  /** The read API's credentials: the flows that fetch what an event depends on and the reconciliation read them. */
  readonly apiSecrets: readonly ProviderSecret[];
}

export const PROVIDERS: readonly ProviderRow[] = [
  {
    route: 'stripe',
    name: 'Stripe',
    ingestEntry: 'providers/stripe/webhook-handler.ts',
    ingestSecrets: [{ id: 'StripeWebhookSecret', environmentVariable: 'STRIPE_WEBHOOK_SECRET_NAME', secretName: (config) => config.stripe.webhookSecretName }],
    apiSecrets: [{ id: 'StripeApiKey', environmentVariable: 'STRIPE_API_KEY_SECRET_NAME', secretName: (config) => config.stripe.apiKeySecretName }],
  },
];

/** The name of every secret the providers' functions read, for the stack's grants and their nag acknowledgments. */
export function providerSecretNames(config: StageConfig): string[] {
  return PROVIDERS.flatMap((provider) => [...provider.ingestSecrets, ...provider.apiSecrets].map((secret) => secret.secretName(config)));
}
