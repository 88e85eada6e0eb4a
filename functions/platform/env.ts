import * as z from 'zod/mini';
import { describeIssue } from './validation-issues';

export class MissingConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid function configuration: ${problems.join('; ')}`);
    this.name = 'MissingConfigError';
  }
}

/**
 * Reads and validates the function's environment once, at module load: a missing or malformed
 * variable fails the cold start with every problem named, instead of a confusing error per event.
 */
export function readEnv<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<Shape>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) throw new MissingConfigError(parsed.error.issues.map(describeIssue));
  return parsed.data;
}

/**
 * A JSON setting of the stage config passed as one environment variable (BILLING_CONFIG, IDENTITY_CONFIG, …), parsed
 * and validated with its schema at cold start: every problem named after the variable.
 */
export function readJsonConfig<Schema extends z.ZodMiniType>(name: string, schema: Schema, env: NodeJS.ProcessEnv = process.env): z.infer<Schema> {
  const raw = env[name];
  if (raw === undefined || raw === '') throw new MissingConfigError([`${name}: not set`]);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new MissingConfigError([`${name}: not JSON`]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new MissingConfigError(parsed.error.issues.map((issue) => `${name}: ${describeIssue(issue)}`));
  return parsed.data as z.infer<Schema>;
}
