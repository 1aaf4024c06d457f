// The scorer registry, and the pruning methods derived from it. Every scorer is a
// method of its own name; ERK and IMP are methods over scorers (ERK: ERK layer
// densities with random or magnitude scores inside; IMP: magnitude between
// fine-tunes). The CLI's choices and help, the pass and the pipeline all read
// METHODS, so a new scorer is its file plus one line in SCORERS.
import { grasp } from './grasp.ts';
import { magnitude } from './magnitude.ts';
import { random } from './random.ts';
import { snip } from './snip.ts';
import { synflow } from './synflow.ts';
import type { Scorer } from './types.ts';

export type { Scorer, ScoreContext } from './types.ts';
export type { Batch } from '../types.ts';

export const SCORERS = { magnitude, random, snip, grasp, synflow } satisfies Record<string, Scorer>;

export type ScorerName = keyof typeof SCORERS;

export interface Method {
  summary: string;
  /** The scorer ranking the weights (ERK's depends on --erk-scores). */
  scorer(o: { erkScores?: 'random' | 'magnitude' }): Scorer;
  /** Rounds by default (iterative methods > 1). */
  defaultRounds: number;
  /** 'budget': prune.ts's global/layerwise allocation; 'erk': ERK layer densities (needs a numeric sparsity). */
  allocation: 'budget' | 'erk';
  /** Fine-tunes the masked model between rounds (IMP). */
  finetunesBetweenRounds: boolean;
}

function ofScorer(s: Scorer): Method {
  return { summary: s.summary, scorer: () => s, defaultRounds: s.defaultRounds, allocation: 'budget', finetunesBetweenRounds: false };
}

const scorerMethods = Object.fromEntries(Object.entries(SCORERS).map(([k, s]) => [k, ofScorer(s)])) as Record<ScorerName, Method>;

export const METHODS = {
  ...scorerMethods,
  erk: {
    summary: 'Erdős–Rényi–Kernel layer densities; random (or --erk-scores magnitude) inside',
    scorer: (o) => (o.erkScores === 'magnitude' ? SCORERS.magnitude : SCORERS.random),
    defaultRounds: 1, allocation: 'erk', finetunesBetweenRounds: false,
  },
  imp: {
    summary: 'iterative magnitude pruning, fine-tuning between rounds (5)',
    scorer: () => SCORERS.magnitude,
    defaultRounds: 5, allocation: 'budget', finetunesBetweenRounds: true,
  },
} satisfies Record<string, Method>;

export type MethodName = keyof typeof METHODS;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethod(name: string): name is MethodName {
  return Object.hasOwn(METHODS, name);
}
