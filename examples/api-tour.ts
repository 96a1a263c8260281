/**
 * The README's API tour, runnable: `npx tsx examples/api-tour.ts`. Tensors and autograd, the functional
 * API, an `nn` model with an optimizer, and a checkpoint round trip through safetensors bytes.
 */
import {
  F,
  loadSafetensors,
  manualSeed,
  nn,
  noGrad,
  optim,
  randn,
  saveSafetensors,
  tensor,
} from '../src/index.js';

manualSeed(0);

// Tensors and reverse-mode autograd.
const x = tensor(
  [
    [1, 2],
    [3, 4],
  ],
  undefined,
  { requiresGrad: true },
);
const y = x.mul(x).sum();
y.backward();
console.log('y =', y.item(), ' dy/dx =', JSON.stringify(x.grad!.toArray()));

// The functional API, as torch.nn.functional.
const images = randn([8, 1, 28, 28]);
const features = F.maxPool2d(F.relu(F.conv2d(images, randn([16, 1, 3, 3]), null, { padding: 1 })), 2);
console.log('conv → relu → maxPool:', JSON.stringify(features.shape));

// Modules and optimizers, as torch.nn and torch.optim.
const model = new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(8 * 14 * 14, 10),
);
console.log(model.toString());
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const labels = tensor([0, 1, 2, 3, 4, 5, 6, 7], undefined, { dtype: 'int32' });
for (let step = 1; step <= 5; step++) {
  optimizer.zeroGrad();
  const loss = F.crossEntropy(model.forward(images), labels);
  loss.backward();
  optimizer.step();
  console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}

// State dicts are plain named tensors; safetensors bytes cannot execute code.
const bytes = saveSafetensors(model.stateDict(), { note: 'api tour' });
const restored = loadSafetensors(bytes);
console.log('checkpoint keys:', Object.keys(restored.tensors).join(', '), `(${bytes.length} bytes)`);
const copy = new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(8 * 14 * 14, 10),
);
copy.loadStateDict(restored.tensors);
const same = noGrad(() => copy.forward(images).sub(model.forward(images)).abs().max().item());
console.log('restored model, max |difference| =', same);
