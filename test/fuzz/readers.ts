/**
 * The fuzz suite of the readers, shared by `npm run fuzz` (scripts/fuzz.ts, ≥ 10,000 inputs per reader)
 * and its sample in `npm test` (test/fuzz-readers.test.ts): for each reader, valid seed files and a
 * `fast-check` arbitrary of hostile variants of them — bit flips, truncation, splices of random bytes,
 * size fields inflated to huge values, deep JSON nesting spliced in, and plain random bytes. The property:
 * the reader accepts the input or throws one of the project's typed errors (`ConvnetError`), within
 * {@link MAX_MILLISECONDS}, and resident memory stays under {@link MAX_RSS_BYTES}.
 */
import fc from 'fast-check';
import {
  ConvnetError,
  checkpoint,
  data,
  interop,
  loadSafetensors,
  manualSeed,
  models,
  optim,
  rand,
  saveSafetensors,
  tensor,
  vision,
} from '../../src/index.js';

/** No input may take longer. */
export const MAX_MILLISECONDS = 2000;
/** Resident memory may not pass this while fuzzing. */
export const MAX_RSS_BYTES = 512 * 2 ** 20;

/** One reader under fuzz: its valid seed files and how to read one. */
export interface FuzzedReader {
  readonly name: string;
  readonly seeds: readonly Uint8Array[];
  /** True if the reader treats the bytes as text (then nesting is spliced in as brackets). */
  readonly text: boolean;
  read(bytes: Uint8Array): unknown;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const decoder = new TextDecoder();

function seedFiles(): Record<string, Uint8Array[]> {
  manualSeed(0);
  const architecture = {
    name: 'fuzz',
    layers: [
      { type: 'Conv2d', outChannels: 2, kernelSize: 3, padding: 1 },
      { type: 'BatchNorm2d' },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernelSize: 2 },
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 3 },
    ],
  };
  const built = models.buildModel(architecture, [1, 8, 8]);
  const ckpt = checkpoint.saveCheckpoint(built.model, {
    architecture: built.architecture,
    classes: ['a', 'b', 'c'],
    inputShape: [1, 8, 8],
    preprocessing: { mean: [0.5], std: [0.25] },
  });
  const row = (label: number): string =>
    [label, ...Array.from({ length: 784 }, (_, i) => (i * 7 + label) % 256)].join(',');
  const idx = data.encodeIdx(tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], { dtype: 'int32' }), {
    type: 'ubyte',
  });
  const cifar = new Uint8Array(2 * 3073).map((_, i) => (i % 3073 === 0 ? (i / 3073) % 10 : i % 251));
  const optimizer = new optim.Adam(built.model.parameters(), { lr: 0.01 });
  built.model
    .forward(rand([2, 1, 8, 8]))
    .sum()
    .backward();
  optimizer.step();
  const state = checkpoint.saveTrainingState({
    epoch: 1,
    optimizer: optimizer.stateDict(),
    scheduler: null,
    rng: { global: [1, 2, 3, 4] },
    info: { batchSize: 2, metrics: [{ loss: 0.5 }] },
  });
  const onnx = interop.exportOnnx({
    ...built,
    classes: ['a', 'b', 'c'],
    inputShape: [1, 8, 8],
    preprocessing: { mean: [0.5], std: [0.25] },
  }).bytes;
  const image = rand([3, 6, 5]);
  const gray = rand([1, 7, 9]);
  return {
    safetensors: [
      saveSafetensors({ w: rand([2, 3]), b: tensor([1, 2], [2], { dtype: 'int32' }) }, { note: 'x' }),
      ckpt,
    ],
    checkpoint: [ckpt],
    'train-state': [state],
    onnx: [onnx],
    architecture: [
      utf8(JSON.stringify(architecture)),
      utf8(JSON.stringify(models.namedArchitecture('lenet5', 10))),
    ],
    idx: [idx, data.gzip(idx)],
    csv: [
      utf8(`${row(1)}\n${row(2)}\n`),
      utf8(`label,${Array.from({ length: 784 }, (_, i) => `p${i}`).join(',')}\n${row(3)}\n`),
    ],
    cifar: [cifar],
    png: [
      vision.encodePng(image),
      vision.encodePng(gray, { bitDepth: 16 }),
      vision.encodePng(image, { alpha: rand([1, 6, 5]) }),
    ],
    jpeg: [vision.encodeJpeg(image), vision.encodeJpeg(gray, { quality: 50 })],
  };
}

/** The readers under fuzz, with their seeds. */
export function fuzzedReaders(): FuzzedReader[] {
  const seeds = seedFiles();
  const reader = (name: string, text: boolean, read: (bytes: Uint8Array) => unknown): FuzzedReader => ({
    name,
    // Plain copies: a Node Buffer seed (protobufjs writes ONNX into one) would make the mutations'
    // slice() a view that writes through to the seed.
    seeds: seeds[name]!.map((bytes) => new Uint8Array(bytes)),
    text,
    read,
  });
  return [
    reader('safetensors', false, (bytes) => loadSafetensors(bytes)),
    reader('checkpoint', false, (bytes) => checkpoint.loadCheckpoint(bytes, 'fuzz.safetensors')),
    reader('train-state', false, (bytes) => checkpoint.loadTrainingState(bytes, 'fuzz.train-state')),
    reader('onnx', false, (bytes) => interop.importOnnx(bytes, 'fuzz.onnx')),
    reader('architecture', true, (bytes) =>
      models.buildModel(models.readArchitectureJson(decoder.decode(bytes)), [1, 28, 28]),
    ),
    reader('idx', false, (bytes) => data.parseIdx(bytes, 'fuzz.idx')),
    reader('csv', true, (bytes) => data.parseMnistCsv(decoder.decode(bytes), 'fuzz.csv')),
    reader('cifar', false, (bytes) => data.parseCifar10Batch(bytes, 'fuzz.bin')),
    reader('png', false, (bytes) => vision.decodeImage(bytes, 'fuzz.png')),
    reader('jpeg', false, (bytes) => vision.decodeImage(bytes, 'fuzz.jpg')),
  ];
}

/** Big values a size field may be inflated to. */
const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 1e9, 1e6, 65535, 0x10000];

/** Hostile variants of `seeds`: mutations of a seed, or random bytes. */
export function mutatedFiles(reader: FuzzedReader): fc.Arbitrary<Uint8Array> {
  const seed = fc.constantFrom(...reader.seeds);
  const at = (bytes: Uint8Array): fc.Arbitrary<number> => fc.nat({ max: Math.max(0, bytes.length - 1) });
  const flip = seed.chain((bytes) =>
    fc.array(fc.tuple(at(bytes), fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const out = bytes.slice();
      for (const [i, bit] of flips) out[i] = out[i]! ^ (1 << bit);
      return out;
    }),
  );
  const truncate = seed.chain((bytes) => at(bytes).map((n) => bytes.slice(0, n)));
  const splice = seed.chain((bytes) =>
    fc.tuple(at(bytes), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 })).map(([i, cut, insert]) => {
      const out = new Uint8Array(bytes.length - Math.min(cut, bytes.length - i) + insert.length);
      out.set(bytes.subarray(0, i));
      out.set(insert, i);
      out.set(bytes.subarray(i + Math.min(cut, bytes.length - i)), i + insert.length);
      return out;
    }),
  );
  const inflate = seed.chain((bytes) =>
    fc
      .tuple(at(bytes), fc.constantFrom(...HUGE), fc.boolean(), fc.constantFrom(2, 4, 8))
      .map(([i, value, little, width]) => {
        const out = bytes.slice();
        const view = new DataView(out.buffer);
        if (i + width > out.length) return out;
        if (width === 8) view.setBigUint64(i, BigInt(value) * 4096n, little);
        else if (width === 4) view.setUint32(i, value >>> 0, little);
        else view.setUint16(i, value & 0xffff, little);
        return out;
      }),
  );
  const digits = seed.chain((bytes) =>
    fc.tuple(at(bytes), fc.constantFrom('9999999', '1000000', '-1', '1e308', '0')).map(([i, text]) => {
      const out = new Uint8Array(bytes.length + text.length);
      out.set(bytes.subarray(0, i));
      out.set(utf8(text), i);
      out.set(bytes.subarray(i), i + text.length);
      return out;
    }),
  );
  const nest = seed.chain((bytes) =>
    fc.tuple(at(bytes), fc.integer({ min: 10, max: 200_000 })).map(([i, depth]) => {
      const open = utf8('['.repeat(depth));
      const out = new Uint8Array(bytes.length + depth);
      out.set(bytes.subarray(0, i));
      out.set(open, i);
      out.set(bytes.subarray(i), i + depth);
      return out;
    }),
  );
  const random = fc.uint8Array({ maxLength: 512 });
  return fc.oneof(flip, truncate, splice, inflate, digits, nest, random);
}

/** What fuzzing one reader found. */
export interface FuzzReport {
  readonly reader: string;
  inputs: number;
  typedErrors: number;
  accepted: number;
  maxMilliseconds: number;
  peakRssBytes: number;
  /** Inputs that broke the property: an untyped error, or too slow. */
  readonly failures: string[];
}

/** Inputs drawn at a time. */
const BATCH = 250;

/** Reads one input, recording the outcome in `report`. */
function feed(reader: FuzzedReader, bytes: Uint8Array, report: FuzzReport): void {
  const start = performance.now();
  try {
    reader.read(bytes);
    report.accepted++;
  } catch (error) {
    if (error instanceof ConvnetError) report.typedErrors++;
    else if (report.failures.length < 10)
      report.failures.push(`${String(error).slice(0, 300)} (input of ${bytes.length} bytes)`);
  }
  const elapsed = performance.now() - start;
  report.inputs++;
  report.maxMilliseconds = Math.max(report.maxMilliseconds, elapsed);
  if (elapsed > MAX_MILLISECONDS && report.failures.length < 10) {
    report.failures.push(`took ${elapsed.toFixed(0)} ms (input of ${bytes.length} bytes)`);
  }
  if (report.inputs % 50 === 0)
    report.peakRssBytes = Math.max(report.peakRssBytes, process.memoryUsage.rss());
}

/**
 * Feeds `runs` hostile inputs (from seed `seed`) to `reader` and reports the counts; failures are
 * listed, not thrown, so one bad input does not hide the rest.
 */
export function fuzzReader(reader: FuzzedReader, runs: number, seed: number): FuzzReport {
  const report: FuzzReport = {
    reader: reader.name,
    inputs: 0,
    typedErrors: 0,
    accepted: 0,
    maxMilliseconds: 0,
    peakRssBytes: 0,
    failures: [],
  };
  const arbitrary = mutatedFiles(reader);
  // Inputs are drawn a batch at a time, so the suite's own memory does not grow with the run.
  for (let batch = 0; batch * BATCH < runs; batch++) {
    const inputs = fc.sample(arbitrary, {
      numRuns: Math.min(BATCH, runs - batch * BATCH),
      seed: seed + batch,
    });
    for (const bytes of inputs) feed(reader, bytes, report);
  }
  report.peakRssBytes = Math.max(report.peakRssBytes, process.memoryUsage.rss());
  if (report.peakRssBytes > MAX_RSS_BYTES) {
    report.failures.push(`resident memory reached ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  }
  return report;
}
