import * as z from 'zod/mini';

/** What a step's Catch puts in the saga state (`$.failure`, lib/constructs/lifecycle-saga.ts): the error's name and its cause. */
export const stepFailureSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type StepFailure = z.infer<typeof stepFailureSchema>;

/**
 * Why a saga is being undone, as a person reads it: the failed step's error message. Step Functions carries a
 * Lambda error's Cause as Lambda's JSON (`errorType`, `errorMessage`, `trace`): the message, not the stack trace.
 */
export function reasonOf(state: { readonly failure?: StepFailure | undefined }): string {
  const cause = state.failure?.Cause;
  if (cause === undefined) return state.failure?.Error ?? 'unknown reason';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not Lambda's JSON: the cause as it is.
  }
  return cause;
}
