// The five steps of a join, read back from the join operation: its progress says which step runs, its error which one failed.
import type { Operation } from '../../shared/api-contract.ts';
import { JOIN_STEP_PERCENT, JOIN_STEPS, type JoinStep } from '../../shared/vpn-names.ts';

export type JoinStepState = 'done' | 'running' | 'waiting' | 'failed';

/** The step cloudyd names in a failed join's error: `step "enrol" failed: …` (JoinStepError in vpn-member.ts). */
function failedStepOf(error: string | null): JoinStep | null {
  const named = /step "(\w+)" failed/.exec(error ?? '')?.[1];
  return (JOIN_STEPS as readonly string[]).includes(named ?? '') ? (named as JoinStep) : null;
}

/** Index of the step under way: the last one whose starting percent the progress has reached, -1 before the first. */
function runningIndex(progress: number): number {
  return JOIN_STEPS.reduce((found, step, index) => (progress >= JOIN_STEP_PERCENT[step] ? index : found), -1);
}

export function joinStepStates(operation: Pick<Operation, 'state' | 'progress' | 'error'> | null): Record<JoinStep, JoinStepState> {
  const states = {} as Record<JoinStep, JoinStepState>;
  const state = operation?.state ?? 'waiting';
  const progressIndex = runningIndex(operation?.progress ?? 0);
  const failedIndex = state === 'failed' ? Math.max(0, JOIN_STEPS.indexOf(failedStepOf(operation?.error ?? null) ?? JOIN_STEPS[Math.max(0, progressIndex)]!)) : -1;
  JOIN_STEPS.forEach((step, index) => {
    if (state === 'completed') states[step] = 'done';
    else if (state === 'failed') states[step] = index < failedIndex ? 'done' : index === failedIndex ? 'failed' : 'waiting';
    else states[step] = index < progressIndex ? 'done' : index === progressIndex && state === 'running' ? 'running' : 'waiting';
  });
  return states;
}
