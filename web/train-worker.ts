/**
 * The playground's training worker: loads the shipped Fashion-MNIST subset, builds the chosen model and
 * trains it batch by batch with the wasm backend (on every core when the page is cross-origin isolated),
 * reporting each batch and epoch to the page. Between batches it lets messages in, so the page can pause
 * and resume it (to stop, the page ends the worker); any failure is sent to the page as an `error` message.
 */
import {
  F,
  Generator,
  argmax,
  checkpoint,
  data,
  getNumThreads,
  manualSeed,
  models,
  narrow,
  noGrad,
  setBackend,
  sum,
  train,
} from 'convnet-ts';
import smallCnn from '../examples/architectures/small-cnn.json' with { type: 'json' };
import { SUBSET, fetchBytes } from './assets.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';

/** Samples per batch when testing. */
const TEST_BATCH = 500;

let paused = false;
let wake: (() => void) | null = null;

function post(message: FromWorker): void {
  postMessage(message);
}

function fail(error: unknown): void {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    run(message.settings).catch(fail);
  } else if (message.type === 'pause') {
    paused = true;
    post({ type: 'paused' });
  } else {
    paused = false;
    post({ type: 'resumed' });
    wake?.();
  }
});
addEventListener('error', (event: ErrorEvent) => {
  fail(event.error ?? event.message);
});
addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  fail(event.reason);
});

/** Lets queued messages in, then waits while paused. */
async function checkpointBetweenBatches(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  while (paused) {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = null;
  }
}

/** The architecture of a model name the page offers. */
function architectureOf(name: string): unknown {
  if (name === 'small-cnn') return smallCnn;
  if (!models.isModelName(name)) throw new Error(`unknown model ${JSON.stringify(name)}`);
  return models.namedArchitecture(name, 10);
}

async function run(settings: TrainSettings): Promise<void> {
  setBackend('wasm');
  const [trainImageBytes, trainLabelBytes, testImageBytes, testLabelBytes] = await Promise.all(
    [SUBSET.trainImages, SUBSET.trainLabels, SUBSET.testImages, SUBSET.testLabels].map(fetchBytes),
  );
  const allImages = data.parseIdxImages(trainImageBytes!, 'train-images-idx3-ubyte.gz');
  const count = Math.min(settings.trainImages, allImages.shape[0]!);
  const trainImages = narrow(allImages, 0, 0, count);
  const trainLabels = narrow(
    data.parseIdxLabels(trainLabelBytes!, 'train-labels-idx1-ubyte.gz'),
    0,
    0,
    count,
  );
  const testImages = data.parseIdxImages(testImageBytes!, 't10k-images-idx3-ubyte.gz');
  const testLabels = data.parseIdxLabels(testLabelBytes!, 't10k-labels-idx1-ubyte.gz');

  manualSeed(settings.seed);
  const built = models.buildModel(architectureOf(settings.model), [1, 28, 28]);
  const model = built.model;
  const { mean, std } = train.channelStatistics(trainImages);
  const standardise = data.normalize(mean, std);
  const loader = new data.DataLoader(new data.TensorDataset(standardise(trainImages), trainLabels), {
    batchSize: settings.batchSize,
    shuffle: true,
    generator: new Generator(settings.seed),
  });
  const testLoader = new data.DataLoader(new data.TensorDataset(standardise(testImages), testLabels), {
    batchSize: TEST_BATCH,
  });
  const optimizerName = settings.optimizer;
  if (!train.isOptimizerName(optimizerName))
    throw new Error(`unknown optimizer ${JSON.stringify(optimizerName)}`);
  const optimizer = train.createOptimizer(optimizerName, model.parameters(), {
    lr: settings.lr ?? train.DEFAULT_LR[optimizerName],
  });
  const info: checkpoint.CheckpointInfo = {
    architecture: built.architecture,
    classes: data.FASHION_MNIST_CLASSES,
    inputShape: [1, 28, 28],
    preprocessing: { mean, std },
  };
  post({
    type: 'started',
    threads: getNumThreads(),
    parameters: model.parameters().reduce((n, p) => n + p.size, 0),
    trainImages: count,
    testImages: testLabels.shape[0]!,
  });

  let busySeconds = 0;
  let samplesDone = 0;
  const samplesTotal = settings.epochs * count;
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    model.train();
    let batch = 0;
    let lossSum = 0;
    let hits = 0;
    let seen = 0;
    for (const { input, target } of loader) {
      await checkpointBetweenBatches();
      const started = performance.now();
      optimizer.zeroGrad();
      const logits = model.forward(input);
      const loss = F.crossEntropy(logits, target);
      loss.backward();
      optimizer.step();
      const batchLoss = loss.item();
      const n = target.shape[0]!;
      hits += noGrad(() => sum(argmax(logits, { dim: 1 }).eq(target)).item());
      lossSum += batchLoss * n;
      seen += n;
      batch += 1;
      samplesDone += n;
      busySeconds += (performance.now() - started) / 1000;
      const imagesPerSecond = samplesDone / busySeconds;
      post({
        type: 'batch',
        epoch,
        epochs: settings.epochs,
        batch,
        batches: loader.length,
        loss: batchLoss,
        accuracy: hits / seen,
        imagesPerSecond,
        secondsLeft: (samplesTotal - samplesDone) / imagesPerSecond,
      });
    }
    post({ type: 'testing', epoch });
    await checkpointBetweenBatches();
    const result = train.evaluate(model, testLoader);
    post({
      type: 'epoch',
      epoch,
      trainLoss: lossSum / seen,
      trainAccuracy: hits / seen,
      testLoss: result.loss,
      testAccuracy: result.accuracy,
      checkpoint: checkpoint.saveCheckpoint(model, info),
    });
  }
  post({ type: 'done' });
}
