import * as z from 'zod/mini';
import { readSecret } from '../../platform/secrets';
import { readEnv } from '../../platform/env';
import { PaypalApi, type PaypalClientCredentials } from './paypal-api';

const text = () => z.string().check(z.minLength(1));
const credentialsSchema = z.object({ clientId: text(), clientSecret: text() });

/**
 * The PayPal read client of a function that reads PayPal: the REST app's credentials from the secret named
 * `PAYPAL_API_CREDENTIALS_SECRET_NAME` (JSON `{ "clientId": …, "clientSecret": … }`), `PAYPAL_API_URL` (the local
 * sandbox's URL, PayPal's sandbox `https://api-m.sandbox.paypal.com`, else live).
 */
export function paypalApiFromEnv(): PaypalApi {
  const env = readEnv({ PAYPAL_API_CREDENTIALS_SECRET_NAME: text(), PAYPAL_API_URL: z.optional(text()) });
  return new PaypalApi({
    credentials: async (): Promise<PaypalClientCredentials> => {
      const parsed = credentialsSchema.safeParse(JSON.parse(await readSecret(env.PAYPAL_API_CREDENTIALS_SECRET_NAME)));
      // The message names the secret, never its content.
      if (!parsed.success) throw new Error(`secret ${env.PAYPAL_API_CREDENTIALS_SECRET_NAME} is not { clientId, clientSecret }`);
      return parsed.data;
    },
    ...(env.PAYPAL_API_URL ? { baseUrl: env.PAYPAL_API_URL } : {}),
  });
}
