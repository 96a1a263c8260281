/**
 * Files from strangers: one test per defect of issue 12 that a hostile user found in the readers (items
 * 1, 4, 5 and the readers' part of 6), each failing on the code before the fix, and the limits of
 * issue 10's "Hostile and broken files" (JSON depth, header size, element counts, inflated size, image
 * size), each refused with the reader's typed error naming the limit, and raisable.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { encode } from 'fast-png';
import { zlibSync } from 'fflate';
import {
  ArgumentError,
  SerializationError,
  checkpoint,
  data,
  loadSafetensors,
  models,
  saveSafetensors,
  tensor,
  zeros,
} from '../src/index.js';
import { readIdxFile, readImage, readMnistCsv } from '../src/node/index.js';
import { decodeImage } from '../src/vision/codec.js';
import { convnet } from './helpers/cli.js';

const { CheckpointError, ModelSizeError, loadCheckpoint } = checkpoint;
const { DataError, encodeIdx, gzip, parseIdx, parseMnistCsv } = data;

const folder = mkdtempSync(join(tmpdir(), 'convnet-hostile-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});
const path = (name: string): string => join(folder, name);
const image = fileURLToPath(new URL('../examples/images/test-0-ankle-boot.png', import.meta.url));

/** The bytes of a checkpoint with no tensors whose metadata claims `architecture` for `inputShape`. */
function metadataOnly(architecture: unknown, inputShape: unknown = [1, 28, 28]): Uint8Array {
  return saveSafetensors(
    {},
    {
      convnet_checkpoint: '1',
      architecture: JSON.stringify(architecture),
      classes: JSON.stringify(['a', 'b']),
      input_shape: JSON.stringify(inputShape),
      preprocessing: JSON.stringify({ mean: [0], std: [1] }),
    },
  );
}

const hugeLinear = { layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 1_000_000 }] };
const twoOutputs = { layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 2 }] };
const pooled = {
  layers: [
    { type: 'AdaptiveAvgPool2d', outputSize: 1 },
    { type: 'Flatten' },
    { type: 'Linear', outFeatures: 2 },
  ],
};
const manyLayers = {
  layers: [
    { type: 'Flatten' },
    ...Array.from({ length: 20 }, () => ({ type: 'Linear', outFeatures: 4096 })),
    { type: 'Linear', outFeatures: 2 },
  ],
};

const deepJson = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

void describe('issue 12 item 1: checkpoint metadata cannot allocate before it is checked', () => {
  void it('a ~300-byte file claiming a Linear of 10^6 outputs fails with ModelSizeError naming the file and maxParameters', () => {
    const bytes = metadataOnly(hugeLinear);
    assert.ok(bytes.length < 400, `${bytes.length} bytes`);
    assert.throws(
      () => loadCheckpoint(bytes, 'bomb.safetensors'),
      (error: unknown) =>
        error instanceof ModelSizeError &&
        error.limit === 'maxParameters' &&
        /loadCheckpoint\(bomb\.safetensors\): .*785000000 parameters, more than the limit maxParameters/.test(
          error.message,
        ),
    );
  });

  void it('an input shape in the millions fails with ModelSizeError naming maxActivationElements', () => {
    const bytes = metadataOnly(pooled, [1, 1_000_000, 1_000_000]);
    assert.throws(
      () => loadCheckpoint(bytes, 'wide.safetensors'),
      (error: unknown) => error instanceof ModelSizeError && error.limit === 'maxActivationElements',
    );
  });

  void it('many large layers fail with ModelSizeError naming maxParameters', () => {
    assert.throws(
      () => loadCheckpoint(metadataOnly(manyLayers), 'deep.safetensors'),
      (error: unknown) => error instanceof ModelSizeError && error.limit === 'maxParameters',
    );
  });

  void it('with the limit raised, the file still cannot back the model: a CheckpointError, nothing built', () => {
    assert.throws(
      () =>
        loadCheckpoint(metadataOnly(hugeLinear), 'bomb.safetensors', {
          limits: { maxParameters: 2 ** 31 },
        }),
      (error: unknown) =>
        error instanceof CheckpointError &&
        /architecture has 785000000 parameter and buffer values .*the file's tensors hold 0/.test(
          error.message,
        ),
    );
  });

  void it('buildModel sizes an architecture before allocating it, and the limit can be raised', () => {
    assert.throws(
      () => models.buildModel(hugeLinear, [1, 28, 28]),
      (error: unknown) =>
        error instanceof models.ArchitectureError && /limit maxParameters/.test(error.message),
    );
    const small = { layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 100 }] };
    assert.throws(() => models.buildModel(small, [1, 28, 28], { limits: { maxParameters: 1000 } }));
    assert.equal(models.buildModel(small, [1, 28, 28]).outputShape[0], 100);
    assert.throws(
      () => models.buildModel(small, [1, 28, 28], { limits: { maxParameterz: 1 } as never }),
      ArgumentError,
    );
  });

  void it('the estimate matches the built model for random architectures (property)', () => {
    const feature = fc.oneof(
      fc.record({
        type: fc.constant('Conv2d'),
        outChannels: fc.integer({ min: 1, max: 4 }),
        kernelSize: fc.integer({ min: 1, max: 4 }),
        stride: fc.integer({ min: 1, max: 2 }),
        padding: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant('same')),
        bias: fc.boolean(),
      }),
      fc.record({
        type: fc.constant('MaxPool2d'),
        kernelSize: fc.integer({ min: 1, max: 3 }),
        ceilMode: fc.boolean(),
      }),
      fc.record({
        type: fc.constant('AvgPool2d'),
        kernelSize: fc.integer({ min: 1, max: 3 }),
        padding: fc.integer({ min: 0, max: 1 }),
      }),
      fc.record({ type: fc.constant('AdaptiveAvgPool2d'), outputSize: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ type: fc.constant('BatchNorm2d'), affine: fc.boolean(), trackRunningStats: fc.boolean() }),
      fc.constant({ type: 'ReLU' }),
    );
    const head = fc.array(
      fc.oneof(
        fc.record({
          type: fc.constant('Linear'),
          outFeatures: fc.integer({ min: 1, max: 5 }),
          bias: fc.boolean(),
        }),
        fc.constant({ type: 'BatchNorm1d' }),
      ),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(
        fc.array(feature, { maxLength: 5 }),
        head,
        fc.tuple(
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 9 }),
          fc.integer({ min: 1, max: 9 }),
        ),
        (body, tail, shape) => {
          const architecture = { layers: [...body, { type: 'Flatten' }, ...tail] };
          const estimate = models.estimateModel(models.parseArchitecture(architecture), shape);
          let built;
          try {
            built = models.buildModel(architecture, shape);
          } catch (error) {
            assert.ok(error instanceof models.ArchitectureError, String(error));
            return;
          }
          const held = Object.values(built.model.stateDict()).reduce((sum, t) => sum + t.size, 0);
          assert.ok(estimate.complete, JSON.stringify(architecture));
          assert.equal(estimate.parameters, held, JSON.stringify(architecture));
        },
      ),
      { numRuns: 200, seed: 12 },
    );
  });

  void it('the estimate matches the built model for every named architecture', () => {
    for (const name of models.MODEL_NAMES) {
      for (const shape of [
        [1, 28, 28],
        [3, 32, 32],
      ]) {
        const architecture = models.namedArchitecture(name, 10);
        const built = models.buildModel(architecture, shape);
        const held = Object.values(built.model.stateDict()).reduce((sum, t) => sum + t.size, 0);
        const estimate = models.estimateModel(models.parseArchitecture(architecture), shape);
        assert.equal(estimate.parameters, held, `${name} ${shape.join('×')}`);
        assert.ok(estimate.complete);
      }
    }
  });

  for (const command of ['summary', 'eval', 'predict'] as const) {
    void it(`convnet ${command} refuses the bomb with one line naming the file and the limit`, async () => {
      const file = path(`bomb-${command}.safetensors`);
      writeFileSync(file, metadataOnly(hugeLinear));
      const argv = command === 'predict' ? [command, file, image] : [command, file];
      const { code, stderr } = await convnet(...argv);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`bomb-${command}\\.safetensors.*limit maxParameters`));
      assert.equal(stderr.trim().split('\n').length, 1);
    });
  }
});

void describe('issue 12 item 4: a UTF-8 byte-order mark does not drop the first CSV row', () => {
  const row = (label: number): string => [label, ...Array.from({ length: 784 }, (_, i) => i % 256)].join(',');
  void it('parseMnistCsv keeps both rows after a BOM', () => {
    const { images, labels } = parseMnistCsv(`\ufeff${row(3)}\n${row(7)}\n`, 'bom.csv');
    assert.deepEqual([...labels.data], [3, 7]);
    assert.deepEqual(images.shape, [2, 1, 28, 28]);
  });
  void it('readMnistCsv keeps the first row of a file that starts with EF BB BF', () => {
    const file = path('bom.csv');
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${row(5)}\n`)]));
    assert.deepEqual([...readMnistCsv(file).labels.data], [5]);
  });
  void it('a header after a BOM is still recognised', () => {
    const header = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');
    assert.deepEqual([...parseMnistCsv(`\ufeff${header}\n${row(1)}\n`, 'h.csv').labels.data], [1]);
  });
});

void describe('issue 12 item 5: a multi-member gzip file is read whole', () => {
  void it('parseIdx reads an IDX file split over two concatenated gzip members', () => {
    const idx = encodeIdx(tensor(new Array<number>(8).fill(7), [2, 4], { dtype: 'int32' }), {
      type: 'ubyte',
    });
    const first = gzip(idx.subarray(0, 9));
    const second = gzip(idx.subarray(9));
    const joined = new Uint8Array(first.length + second.length);
    joined.set(first);
    joined.set(second, first.length);
    const read = parseIdx(joined, 'two-members.gz');
    assert.deepEqual(read.shape, [2, 4]);
    assert.deepEqual(
      [...read.data],
      Array.from({ length: 8 }, () => 7),
    );
  });
  void it('a corrupt second member is still caught by its CRC', () => {
    const idx = encodeIdx(tensor([0, 0], [2], { dtype: 'int32' }), { type: 'ubyte' });
    const first = gzip(idx.subarray(0, 5));
    const second = gzip(idx.subarray(5)).slice();
    second[second.length - 8] = second[second.length - 8]! ^ 0xff;
    const joined = new Uint8Array(first.length + second.length);
    joined.set(first);
    joined.set(second, first.length);
    assert.throws(
      () => parseIdx(joined, 'bad.gz'),
      (e: unknown) => e instanceof DataError && /CRC-32/.test(e.message),
    );
  });
});

void describe('issue 12 item 6 (readers): errors name the file and the limit, never a bare RangeError', () => {
  void it('convnet summary of a checkpoint whose architecture is nested 10^5 deep names maxJsonDepth', async () => {
    const file = path('deep-metadata.safetensors');
    const bytes = metadataOnly(null);
    const { metadata } = loadSafetensors(bytes);
    writeFileSync(file, saveSafetensors({}, { ...metadata, architecture: deepJson(100_000) }));
    const { code, stderr } = await convnet('summary', file);
    assert.equal(code, 1);
    assert.doesNotMatch(stderr, /Maximum call stack/);
    assert.match(stderr, /deep-metadata\.safetensors.*metadata "architecture".*limit maxJsonDepth/);
  });

  void it('convnet summary --model of an architecture file nested 10^6 deep names maxJsonDepth', async () => {
    const file = path('deep.json');
    writeFileSync(file, `{"layers": ${deepJson(1_000_000)}}`);
    const { code, stderr } = await convnet('summary', '--model', file);
    assert.equal(code, 1);
    assert.doesNotMatch(stderr, /Maximum call stack/);
    assert.match(stderr, /deep\.json.*limit maxJsonDepth/);
  });

  void it('a safetensors header nested 10^6 deep is a SerializationError naming maxJsonDepth', () => {
    const header = new TextEncoder().encode(`{"a": ${deepJson(1_000_000)}}`);
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    assert.throws(
      () => loadSafetensors(bytes),
      (e: unknown) => e instanceof SerializationError && /limit maxJsonDepth/.test(e.message),
    );
  });

  void it('a CSV of 4·10^7 empty lines is a DataError, not "Invalid typed array length"', () => {
    assert.throws(
      () => parseMnistCsv('\n'.repeat(40_000_000), 'newlines.csv'),
      (e: unknown) =>
        e instanceof DataError && /newlines\.csv/.test(e.message) && !/typed array/.test(e.message),
    );
  });

  void it('convnet eval of a checkpoint with a 10^5-character tensor name prints a bounded line', async () => {
    const file = path('long-name.safetensors');
    const { metadata } = loadSafetensors(metadataOnly(twoOutputs));
    const name = 'w'.repeat(100_000);
    writeFileSync(file, saveSafetensors({ [name]: zeros([2]) }, metadata));
    const { code, stderr } = await convnet('eval', file);
    assert.equal(code, 1);
    assert.ok(stderr.length < 3000, `${stderr.length} characters`);
    assert.match(stderr, /long-name\.safetensors/);
  });
});

void describe('issue 10: limits on what a file declares, checked before allocating', () => {
  void it('a safetensors header over maxHeaderBytes is refused from its length field, and the limit can be raised', () => {
    const header = new TextEncoder().encode(`{"__metadata__": {"x": "${'y'.repeat(17 * 2 ** 20)}"}}`);
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    assert.throws(() => loadSafetensors(bytes), /limit maxHeaderBytes = 16777216/);
    assert.equal(
      loadSafetensors(bytes, { limits: { maxHeaderBytes: 2 ** 25 } }).metadata.x!.length,
      17 * 2 ** 20,
    );
  });

  void it('an IDX header declaring more values than maxElements is refused; raising the limit reads it', () => {
    const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]);
    assert.throws(
      () => parseIdx(bytes, 'small.idx', { limits: { maxElements: 3 } }),
      /small\.idx.*limit maxElements = 3/,
    );
    assert.equal(parseIdx(bytes, 'small.idx').size, 4);
  });

  void it('the file readers of convnet-ts/node take the same limits', () => {
    const file = path('four.idx');
    writeFileSync(file, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]));
    assert.throws(
      () => readIdxFile(file, { limits: { maxElements: 2 } }),
      /four\.idx.*limit maxElements = 2/,
    );
    assert.throws(
      () => readImage(image, { limits: { maxPixels: 100 } }),
      /ankle-boot\.png.*limit maxPixels = 100/,
    );
    assert.equal(readImage(image).shape.length, 3);
  });

  void it('a gzip file inflating past maxInflatedBytes is refused without inflating it all', () => {
    const bomb = gzip(new Uint8Array(64 * 2 ** 20));
    assert.ok(bomb.length < 100_000);
    assert.throws(
      () => parseIdx(bomb, 'bomb.gz', { limits: { maxInflatedBytes: 2 ** 20 } }),
      (e: unknown) => e instanceof DataError && /bomb\.gz.*limit maxInflatedBytes = 1048576/.test(e.message),
    );
  });

  void it('a gzip IDX file is inflated no further than its header declares', () => {
    const body = new Uint8Array(64 * 2 ** 20);
    body.set([0, 0, 8, 1, 0, 0, 0, 3]);
    assert.throws(
      () => parseIdx(gzip(body), 'padded.gz'),
      (e: unknown) =>
        e instanceof DataError &&
        /padded\.gz.*inflates to more than the 11 bytes the header \(shape \[3\]\) declares/.test(e.message),
    );
    body.set([0, 0, 8, 3, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0]);
    assert.throws(
      () => parseIdx(gzip(body), 'huge.gz'),
      /huge\.gz.*68719476736 values, more than the limit maxElements/,
    );
  });

  void it('a gzip header with a 5 MB file name is refused as corrupt, not re-copied for seconds', () => {
    const body = gzip(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    const name = new Uint8Array(5 * 2 ** 20 + 1).fill(0x61);
    name[name.length - 1] = 0;
    const file = new Uint8Array(10 + name.length + body.length - 10);
    file.set(body.subarray(0, 10));
    file[3] = 0x08;
    file.set(name, 10);
    file.set(body.subarray(10), 10 + name.length);
    assert.throws(
      () => parseIdx(file, 'named.gz'),
      (e: unknown) => e instanceof DataError && /named\.gz.*inflate to nothing/.test(e.message),
    );
  });

  void it('a 1×1 PNG whose image data inflates to 256 MB is refused', () => {
    const png = encode({ width: 1, height: 1, channels: 1, depth: 8, data: new Uint8Array([9]) });
    const idat = zlibSync(new Uint8Array(256 * 2 ** 20), { level: 9 });
    const bomb = replaceIdat(png, idat);
    assert.throws(
      () => decodeImage(bomb, 'bomb.png'),
      (e: unknown) =>
        e instanceof DataError &&
        /bomb\.png.*image data inflates to more than \d+ bytes, but needs 2/.test(e.message),
    );
  });

  void it('a JPEG frame header claiming 10000×10000 is refused before decoding; so is one its bytes cannot back', () => {
    const jpeg = new Uint8Array([
      0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0x27, 0x10, 0x27, 0x10, 1, 1, 0x11, 0, 0xff, 0xd9,
    ]);
    assert.throws(
      () => decodeImage(jpeg, 'big.jpg'),
      /big\.jpg.*100000000 pixels, more than the limit maxPixels/,
    );
    assert.throws(
      () => decodeImage(jpeg, 'big.jpg', { limits: { maxPixels: 2 ** 27 } }),
      /claims 10000×10000 pixels, which take at least 195313 bytes to encode, but the file has 17/,
    );
  });
});

/** `png` with its image data replaced by `idat` (one IDAT chunk, CRC recomputed). */
function replaceIdat(png: Uint8Array, idat: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const parts: Uint8Array[] = [png.subarray(0, 8)];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(chunk('IDAT', idat));
    else parts.push(png.subarray(at, at + 12 + length));
    at += 12 + length;
  }
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
