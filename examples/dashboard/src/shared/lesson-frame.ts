import type { Walkthrough } from '@gradstream/trainer';

/**
 * One training step of the lesson's 1-1-1 network (x → linear → sigmoid → linear → ½(ŷ−y)²), every
 * figure of it, as the `explain` command prints it: the page reveals it phase by phase on the
 * drawing (forward values on the nodes, the gradient signal on the edges, then the update).
 */
export interface LessonFrame {
  /** 1 for the lesson's worked step, then 2, 3, … as the person steps on. */
  readonly step: number;
  readonly walkthrough: Walkthrough;
}

/** The three phases of a step, in the order the page shows them. */
export const LESSON_PHASES = ['forward', 'backward', 'update'] as const;
export type LessonPhase = (typeof LESSON_PHASES)[number];
