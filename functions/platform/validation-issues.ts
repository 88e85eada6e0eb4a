import type * as z from 'zod/mini';

/**
 * One readable line for a validation issue: where, and what was wrong. zod/mini ships no locale
 * (its messages all read "Invalid input"), so the code and path carry the meaning.
 */
export function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  const expected = 'expected' in issue && issue.expected !== undefined ? ` (expected ${String(issue.expected)})` : '';
  return `${where}: ${issue.code}${expected}`;
}
