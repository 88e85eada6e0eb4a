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
