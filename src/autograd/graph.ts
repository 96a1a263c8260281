/**
 * The recorded graph and the reverse-mode engine. An op computes its output, then `record`s how to send a
 * gradient back to its inputs; `backward` walks the records from the output in reverse topological order,
 * sums the gradients that reach each tensor and leaves them in `.grad` of the leaves.
 */
import { AutogradError } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { isGradEnabled, noGrad } from './grad-mode.js';

/**
 * Sends the gradient of an op's output back to its inputs: one entry per input, `null` where an input
 * gets no gradient (an integer index, say).
 */
export type BackwardRule = (grad: Tensor) => readonly (Tensor | null)[];

/** How a tensor was made: the op's name, its tensor inputs and its backward rule. */
export interface GradFn {
  /** The op that made the tensor, e.g. `'conv2d'`. */
  readonly name: string;
  /** The op's tensor inputs, in order. */
  readonly inputs: readonly Tensor[];
  /** Maps the gradient of the output to one gradient per input (`null` for an input that needs none). */
  readonly backward: BackwardRule;
}

/**
 * Marks `out` as made by op `name` from `inputs` if gradients are being recorded and any input requires
 * one; returns `out`.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.setGradFn({ name, inputs, backward });
  }
  return out;
}

/** Tensors reachable from `root` through recorded ops, each after everything it depends on. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: { tensor: Tensor; next: number }[] = [{ tensor: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const inputs = top.tensor.gradFn?.inputs ?? [];
    if (top.next < inputs.length) {
      const input = inputs[top.next++]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push({ tensor: input, next: 0 });
      }
    } else {
      order.push(top.tensor);
      stack.pop();
    }
  }
  return order;
}

/**
 * Back-propagates `grad` (the gradient of some scalar with respect to `root`) through the recorded graph
 * and accumulates the result into `.grad` of every leaf that requires a gradient, and of every tensor that
 * called `retainGrad()`. The backward rules run with recording off; a gradient a rule returns in another
 * float dtype is converted to its input's dtype, as PyTorch's engine does.
 */
export function runBackward(root: Tensor, grad: Tensor): void {
  if (!root.requiresGrad) {
    throw new AutogradError('backward', '', 'the tensor does not require grad and has no grad_fn');
  }
  const grads = new Map<Tensor, Tensor>([[root, grad]]);
  const order = topologicalOrder(root);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const tensor = order[i]!;
      const g = grads.get(tensor);
      if (g === undefined) continue;
      grads.delete(tensor);
      if (tensor.gradFn === null || tensor.retainsGrad) tensor.accumulateGrad(g);
      const fn = tensor.gradFn;
      if (fn === null) continue;
      const inputGrads = fn.backward(g);
      fn.inputs.forEach((input, k) => {
        const ig = inputGrads[k];
        if (!input.requiresGrad || ig === null || ig === undefined) return;
        if (!shapesEqual(ig.shape, input.shape)) {
          throw new AutogradError(
            fn.name,
            `input ${k}`,
            `backward rule returned a gradient of shape ${formatShape(ig.shape)} for an input of shape ${formatShape(input.shape)}`,
          );
        }
        const cast = ig.dtype === input.dtype ? ig : ig.to(input.dtype);
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? cast : previous.add(cast));
      });
    }
  });
}
