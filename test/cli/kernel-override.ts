// Preloaded into the CLI by test/cli/errors.test.ts (node --import tsx --import this
// file): replaces the reference Relu kernel with one that throws, as a kernel with a
// bug would (RAMPART_TEST_THROW=plain) or as one refusing its input would (=rampart).
// The CLI imports the same module instance, so `rampart run --runtime reference` uses it.
import { RampartError } from '../../runtime/errors.ts';
import { referenceKernels } from '../../runtime/ops/index.ts';

const kind = process.env.RAMPART_TEST_THROW;
referenceKernels.Relu = () => {
  if (kind === 'rampart') throw new RampartError('the override refuses this tensor', { expected: 'a tensor it likes' });
  throw new Error('a bug planted in the Relu kernel');
};
