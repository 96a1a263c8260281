/**
 * Writes the convnet-ts checkpoint that scripts/interop/make_fixtures.py loads into PyTorch: a small CNN
 * with seeded weights and batch-norm statistics moved off their initial values.
 *
 *     node --import tsx scripts/interop/make-convnet-checkpoint.ts test/fixtures/interop/convnet-checkpoint.safetensors
 */
import { saveCheckpointFile } from '../../src/node/index.js';
import { ARCHITECTURES, smallCheckpoint } from '../../test/helpers/interop.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: make-convnet-checkpoint.ts OUT.safetensors');
const ckpt = smallCheckpoint(ARCHITECTURES['conv-pool-linear']!, 3);
saveCheckpointFile(path, ckpt.model, ckpt);
