/**
 * A guided tour of the convolution numerics the project was founded on (the assignment in
 * `shared/seeds`): cross-correlation versus convolution, sig2col, multi-channel convolution as a dot
 * product, a convolutional layer's gradients checked by finite differences, ReLU and ELU, pooling, and
 * strided and dilated convolution. Run it with `npm run demo`.
 */
import { ArgumentError, F, gradcheck, manualSeed, matmul, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';

const show = (t: Tensor): string =>
  JSON.stringify(t.toArray(), (_, v: unknown) => (typeof v === 'number' ? +v.toFixed(4) : v));
const dims = (t: Tensor): string => JSON.stringify(t.shape);
const heading = (title: string): void => {
  console.log(`\n== ${title}`);
};

manualSeed(0);

heading('1. Cross-correlation versus convolution (1-D)');
const signal = tensor([1, 2, 3, 4, 5]);
const kernel = tensor([1, 0, -1]);
console.log('x =', show(signal), ' k =', show(kernel));
console.log("correlate1d(x, k)                 'valid':", show(F.correlate1d(signal, kernel)));
console.log(
  "convolve1d(x, k)  (k flipped)     'valid':",
  show(F.convolve1d(signal, kernel, { mode: 'valid' })),
);
console.log("convolve1d(x, k)                  'full': ", show(F.convolve1d(signal, kernel)));
console.log("convolve1d(k, x)  (commutative)   'full': ", show(F.convolve1d(kernel, signal)));

heading('2. sig2col: every sliding window as its own block');
const images = randn([15, 3, 13, 13]);
console.log('sig2col((15,3,13,13), window (5,3))          ->', dims(F.sig2col(images, [5, 3])));
console.log(
  'sig2col((15,3,13,13), window (2,2), stride 2) ->',
  dims(F.sig2col(images, [2, 2], { stride: 2 })),
);

heading('3. Multi-channel 2-D convolution as a dot product over windows');
const weights = randn([8, 3, 5, 3]);
const windows = F.sig2col(images, [5, 3])
  .permute([0, 2, 3, 1, 4, 5])
  .reshape([15, 9, 11, 3 * 5 * 3]);
const byDotProduct = matmul(windows, weights.reshape([8, -1]).t()).permute([0, 3, 1, 2]);
const byConv2d = F.conv2d(images, weights);
console.log('conv2d(x (15,3,13,13), w (8,3,5,3)) ->', dims(byConv2d));
console.log('max |sig2col·W − conv2d| =', byDotProduct.sub(byConv2d).abs().max().item().toExponential(2));

heading('4. A convolutional layer with bias: gradients checked by finite differences (float64)');
const x = randn([2, 3, 7, 6], { dtype: 'float64', requiresGrad: true });
const w = randn([4, 3, 5, 3], { dtype: 'float64', requiresGrad: true });
const b = randn([4], { dtype: 'float64', requiresGrad: true });
console.log(
  'gradcheck(conv2d + bias) ->',
  gradcheck((xi, wi, bi) => F.conv2d(xi, wi, bi), [x, w, b]),
);
const y = F.conv2d(x, w, b);
y.backward(randn(y.shape, { dtype: 'float64' }));
console.log('bias gradient = upstream gradient summed over N, H, W:', show(b.grad!));

heading('5. ReLU and ELU');
const s = tensor([-2, -0.5, 0, 0.5, 2]);
console.log('s        =', show(s));
console.log('relu(s)  =', show(F.relu(s)));
console.log('elu(s)   =', show(F.elu(s)));
try {
  F.elu(s, { alpha: -1 });
} catch (error) {
  if (!(error instanceof ArgumentError)) throw error;
  console.log(`elu(s, { alpha: -1 }) throws ${error.name}: ${error.message}`);
}

heading('6. Pooling');
const grid = tensor([
  [
    [
      [1, 2, 3, 0],
      [4, 5, 6, 1],
      [7, 8, 9, 2],
      [0, 1, 2, 3],
    ],
  ],
]);
console.log('x             =', show(grid.reshape([4, 4])));
console.log('maxPool2d(x, 2) =', show(F.maxPool2d(grid, 2).reshape([2, 2])));
console.log('avgPool2d(x, 2) =', show(F.avgPool2d(grid, 2).reshape([2, 2])));
const box = tensor(new Float32Array(4).fill(1 / 4), [1, 1, 2, 2]);
console.log(
  'conv2d(x, 1/4 everywhere, stride 2) =',
  show(F.conv2d(grid, box, null, { stride: 2 }).reshape([2, 2])),
  '(average pooling is a strided convolution)',
);

heading('7. Strided and dilated convolution');
const big = randn([1, 1, 28, 28]);
const k3 = randn([1, 1, 3, 3]);
console.log('conv2d 28x28, 3x3                 ->', dims(F.conv2d(big, k3)));
console.log('conv2d 28x28, 3x3, stride 2       ->', dims(F.conv2d(big, k3, null, { stride: 2 })));
console.log('conv2d 28x28, 3x3, dilation 2     ->', dims(F.conv2d(big, k3, null, { dilation: 2 })));
console.log("conv2d 28x28, 3x3, padding 'same' ->", dims(F.conv2d(big, k3, null, { padding: 'same' })));

heading('8. True convolution flips the kernel (the seed project’s unit test)');
const input = tensor([
  [
    [
      [1, 2, 3, 0],
      [4, 5, 6, 1],
      [7, 8, 9, 2],
      [0, 1, 2, 3],
    ],
  ],
]);
const flipped = tensor([
  [
    [
      [-1, 0],
      [0, 1],
    ],
  ],
]);
console.log('conv2d(x, flip([[1,0],[0,-1]])) =', show(F.conv2d(input, flipped).reshape([3, 3])));
console.log('softmax([1, 2, 3])            =', show(F.softmax(tensor([1, 2, 3]), 0)));
