import { InternalError } from '@modelseal/core';
import type { EvaluationClock } from './types.ts';

/**
 * Thrown, not returned as a reason: a decision cut short by the caller's deadline says nothing
 * about the policy, so it must never be cached or reported as the policy's verdict.
 */
export function checkDeadline(clock: EvaluationClock | undefined, subject: string): void {
  if (clock?.deadline !== undefined && clock.now() > clock.deadline) throw deadlineExceeded(subject);
}

export function deadlineExceeded(subject: string): InternalError {
  return new InternalError({
    code: 'DEADLINE_EXCEEDED',
    message: `the deadline passed while the policy was checked for ${subject}`,
    details: { subject },
  });
}
