// The scorer table. ERK and IMP are allocation / schedule methods over these
// scorers (ERK: random scores within ERK layer densities; IMP: magnitude between
// fine-tunes), so they are not scorers themselves.
import { grasp } from './grasp.ts';
import { magnitude } from './magnitude.ts';
import { random } from './random.ts';
import { snip } from './snip.ts';
import { synflow } from './synflow.ts';
import type { Scorer } from './types.ts';

export type { Batch, MethodName, Scorer, ScoreContext } from './types.ts';

export const SCORERS: Record<'magnitude' | 'random' | 'snip' | 'grasp' | 'synflow', Scorer> = {
  magnitude, random, snip, grasp, synflow,
};
