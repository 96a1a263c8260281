/**
 * PyTorch's default initialisation of layers with a weight and a bias (`Linear`, convolutions).
 */
import type { Tensor } from '../../tensor.js';
import { _calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';

/**
 * `reset_parameters` of `nn.Linear` and `nn.Conv*d`: the weight from `kaimingUniform_` with `a = √5`
 * (uniform in ±1/√fanIn), the bias uniform in ±1/√fanIn (0 when fanIn is 0).
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias === null) return;
  const [fanIn] = _calculateFanInAndFanOut(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform_(bias, { a: -bound, b: bound });
}
