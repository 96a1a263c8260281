/**
 * safetensors: files written by PyTorch (by hand from the format's definition, and by the reference
 * `safetensors` package) load to the right values; `saveSafetensors` reproduces the reference writer's bytes;
 * our own files round-trip; and every malformed file is refused with a SerializationError that says why.
 * Fixtures: scripts/reference/make_safetensors_fixture.py.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ArgumentError,
  SerializationError,
  Tensor,
  arange,
  loadSafetensors,
  randn,
  saveSafetensors,
  tensor,
  zeros,
} from '../src/index.js';
import type { DType } from '../src/index.js';

interface ExpectedTensor {
  dtype: string;
  loadsAs: DType;
  shape: number[];
  values: number[];
}
interface ExpectedFile {
  metadata: Record<string, string>;
  tensors: Record<string, ExpectedTensor>;
}

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));
const expected = JSON.parse(
  readFileSync(new URL('fixtures/safetensors.json', import.meta.url), 'utf-8'),
) as Record<'interop' | 'writable', ExpectedFile>;

function assertContents(actual: ReturnType<typeof loadSafetensors>, want: ExpectedFile): void {
  assert.deepEqual(actual.metadata, want.metadata);
  assert.deepEqual(Object.keys(actual.tensors).sort(), Object.keys(want.tensors).sort());
  for (const [name, t] of Object.entries(want.tensors)) {
    const got = actual.tensors[name]!;
    assert.equal(got.dtype, t.loadsAs, `${name}: dtype`);
    assert.deepEqual(got.shape, t.shape, `${name}: shape`);
    assert.deepEqual(Array.from(got.data), t.values, `${name}: values`);
  }
}

/** A data section always starts at this file byte in files made by `file`, so messages are predictable. */
const DATA_START = 256;

/** A file: the header JSON space-padded to 248 bytes behind its u64 length, then the data bytes. */
function file(header: string | object, data: ArrayLike<number> = [], declaredLength?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  assert.ok(text.length <= DATA_START - 8, 'header too long for the test helper');
  const bytes = new Uint8Array(DATA_START + data.length).fill(0x20, 8, DATA_START);
  new DataView(bytes.buffer).setBigUint64(0, declaredLength ?? BigInt(DATA_START - 8), true);
  bytes.set(text, 8);
  bytes.set(data, DATA_START);
  return bytes;
}

/** `values` as little-endian bytes, written with the DataView setter `set`. */
function le(
  set: 'setUint16' | 'setUint32' | 'setBigInt64' | 'setBigUint64',
  values: (number | bigint)[],
): number[] {
  const size = set === 'setUint16' ? 2 : set === 'setUint32' ? 4 : 8;
  const view = new DataView(new ArrayBuffer(size * values.length));
  values.forEach((v, i) => {
    if (set === 'setBigInt64' || set === 'setBigUint64') view[set](i * size, BigInt(v), true);
    else view[set](i * size, Number(v), true);
  });
  return Array.from(new Uint8Array(view.buffer));
}

const f32 = (shape: number[], begin: number, end: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, end],
});

void describe('safetensors interop with PyTorch', () => {
  void it('reads a file laid out by hand from the format definition (every dtype, unaligned offsets)', () => {
    assertContents(loadSafetensors(fixture('safetensors-torch.safetensors')), expected.interop);
  });

  void it('reads a file written by the reference safetensors package', () => {
    assertContents(loadSafetensors(fixture('safetensors-official.safetensors')), expected.interop);
  });

  void it('writes the same bytes as the reference safetensors package', () => {
    const { metadata, tensors } = expected.writable;
    const ours = Object.fromEntries(
      Object.entries(tensors).map(([name, t]) => [name, tensor(t.values, t.shape, { dtype: t.loadsAs })]),
    );
    assert.deepEqual(saveSafetensors(ours, metadata), fixture('safetensors-writable.safetensors'));
    assertContents(loadSafetensors(fixture('safetensors-writable.safetensors')), expected.writable);
  });

  void it('writes an empty file as the reference package does', () => {
    const bytes = saveSafetensors({});
    assert.deepEqual(Array.from(bytes), [8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{}      ')]);
    assert.deepEqual(loadSafetensors(bytes), { tensors: {}, metadata: {} });
  });
});

void describe('safetensors round trip', () => {
  void it('keeps names, dtypes, shapes, values and metadata', () => {
    const tensors: Record<string, Tensor> = {
      'features.0.weight': randn([4, 3, 3, 3], { seed: 1 }),
      'features.0.bias': randn([4], { dtype: 'float64', seed: 2 }),
      'classifier.weight': randn([2, 4], { seed: 3 }).requiresGrad_(),
      labels: tensor([-(2 ** 31), 0, 7, 2 ** 31 - 1], undefined, { dtype: 'int32' }),
      step: tensor(12, undefined, { dtype: 'int32' }),
      scale: tensor(0.5, undefined, { dtype: 'float64' }),
      empty: zeros([2, 0, 3]),
      'ünïcode ✓ 😀': arange(5),
      specials: tensor([NaN, Infinity, -Infinity, -0, 1e-45]),
    };
    const metadata = { format: 'pt', epoch: '3', '': 'empty key', quote: '"\\\n' };
    const bytes = saveSafetensors(tensors, metadata);
    const loaded = loadSafetensors(bytes);
    assert.deepEqual(loaded.metadata, metadata);
    assert.deepEqual(Object.keys(loaded.tensors).sort(), Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = loaded.tensors[name]!;
      assert.equal(got.dtype, t.dtype, name);
      assert.deepEqual(got.shape, t.shape, name);
      assert.deepEqual(Array.from(got.data), Array.from(t.data), name);
      assert.equal(got.requiresGrad, false, name);
      assert.notEqual(got.data.buffer, t.data.buffer, `${name} is a copy`);
    }
  });

  void it('pads the header so the data starts 8-byte aligned, each tensor aligned to its element size', () => {
    const bytes = saveSafetensors({ a: zeros([3]), b: zeros([1], { dtype: 'float64' }), c: arange(3) });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(headerLength % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      { dtype: string; data_offsets: [number, number] }
    >;
    assert.deepEqual(header, {
      b: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      a: { dtype: 'F32', shape: [3], data_offsets: [8, 20] },
      c: { dtype: 'I32', shape: [3], data_offsets: [20, 32] },
    });
    assert.equal(bytes.length, 8 + headerLength + 32);
  });

  void it('reads from a view into a larger buffer', () => {
    const bytes = saveSafetensors({ w: tensor([1.5, -2]) });
    const larger = new Uint8Array(bytes.length + 5);
    larger.set(bytes, 3);
    const { tensors } = loadSafetensors(larger.subarray(3, 3 + bytes.length));
    assert.deepEqual(Array.from(tensors.w!.data), [1.5, -2]);
  });

  void it('keeps hostile names as plain own keys', () => {
    const header = `{"__proto__":${JSON.stringify(f32([1], 0, 4))},"constructor":${JSON.stringify(f32([1], 4, 8))}}`;
    const { tensors } = loadSafetensors(file(header, le('setUint32', [0x3f800000, 0x40000000])));
    assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
    assert.deepEqual(Object.keys(tensors).sort(), ['__proto__', 'constructor']);
    assert.equal((Object.getOwnPropertyDescriptor(tensors, '__proto__')!.value as Tensor).item(), 1);
  });
});

void describe('safetensors dtypes read from PyTorch checkpoints', () => {
  const read = (dtype: string, shape: number[], data: number[]) =>
    loadSafetensors(file({ x: { dtype, shape, data_offsets: [0, data.length] } }, data)).tensors.x!;

  void it('F16: zero, subnormals, infinities and NaN, exactly', () => {
    const t = read('F16', [7], le('setUint16', [0x0000, 0x8000, 0x0001, 0x03ff, 0x7bff, 0x7c00, 0xfc00]));
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(Array.from(t.data), [0, -0, 2 ** -24, 1023 * 2 ** -24, 65504, Infinity, -Infinity]);
    assert.ok(Number.isNaN(read('F16', [1], le('setUint16', [0x7e00])).item()));
  });

  void it('BF16: the upper half of a float32', () => {
    const t = read('BF16', [4], le('setUint16', [0x3f80, 0xc049, 0x7f80, 0x0001]));
    assert.deepEqual(Array.from(t.data), [1, -3.140625, Infinity, 2 ** -133]);
    assert.ok(Number.isNaN(read('BF16', [1], le('setUint16', [0x7fc0])).item()));
  });

  void it('U16, U32, I64 and U64 into int32 when every value fits', () => {
    assert.deepEqual(Array.from(read('U16', [2], le('setUint16', [0, 65535])).data), [0, 65535]);
    assert.deepEqual(Array.from(read('U32', [2], le('setUint32', [0, 2 ** 31 - 1])).data), [0, 2 ** 31 - 1]);
    const i64 = read('I64', [3], le('setBigInt64', [-(2n ** 31n), -1n, 2n ** 31n - 1n]));
    assert.equal(i64.dtype, 'int32');
    assert.deepEqual(Array.from(i64.data), [-(2 ** 31), -1, 2 ** 31 - 1]);
    assert.deepEqual(Array.from(read('U64', [1], le('setBigUint64', [2n ** 31n - 1n])).data), [2 ** 31 - 1]);
  });

  const outOfRange: [string, string, number[], RegExp][] = [
    [
      'I64 above int32',
      'I64',
      le('setBigInt64', [0n, 2n ** 31n]),
      /element 1 at file byte 264 is 2147483648, .*int32/,
    ],
    ['I64 below int32', 'I64', le('setBigInt64', [-(2n ** 31n) - 1n]), /is -2147483649/],
    ['U32 above int32', 'U32', le('setUint32', [2 ** 31]), /is 2147483648/],
    ['U64 far above int32', 'U64', le('setBigUint64', [2n ** 64n - 1n]), /is 18446744073709551615/],
    ['BOOL other than 0 or 1', 'BOOL', [1, 0, 2], /element 2 .* is 2, .*boolean/],
  ];
  for (const [name, dtype, data, message] of outOfRange) {
    void it(`refuses ${name}`, () => {
      const size = { I64: 8, U64: 8, U32: 4, BOOL: 1 }[dtype]!;
      assert.throws(
        () => read(dtype, [data.length / size], data),
        (e: Error) => e instanceof SerializationError && message.test(e.message),
      );
    });
  }
});

void describe('safetensors malformed files', () => {
  const one = { a: f32([2], 0, 8) };
  const eight = new Array<number>(8).fill(0);
  const cases: [string, Uint8Array, RegExp][] = [
    ['an empty file', new Uint8Array(0), /0 bytes long, too short .* byte 0/],
    ['a file shorter than 8 bytes', new Uint8Array(7), /7 bytes long/],
    [
      'a header length past the end',
      file(one, eight, 400n),
      /header length at byte 0 is 400 bytes, past the end of the 264-byte file \(the header would end at byte 408\)/,
    ],
    [
      'an absurd header length',
      file(one, eight, 2n ** 63n),
      /9223372036854775808 bytes, more than the limit maxHeaderBytes = 16777216 \(raise it with the option limits.maxHeaderBytes\)/,
    ],
    [
      'a header that is not UTF-8',
      file('{"a":1}').map((b, i) => (i === 10 ? 0xff : b)),
      /header \(bytes 8‥256\) is not valid UTF-8/,
    ],
    [
      'a header with an overlong UTF-8 sequence',
      file('{"ab":1}').map((b, i) => (i === 10 ? 0xc1 : i === 11 ? 0x81 : b)),
      /not valid UTF-8/,
    ],
    ['a header that is not JSON', file('{"a": {'), /bytes 8‥256\) is not valid JSON/],
    ['a header with a byte-order mark', file('\ufeff{}'), /not valid JSON/],
    ['a header that is an array', file('[]'), /must be a JSON object, got an array/],
    ['a header that is null', file('null'), /must be a JSON object, got null/],
    ['a header that is a string', file('"a"'), /must be a JSON object, got the string "a"/],
    [
      'a tensor named twice',
      file(`{"a":${JSON.stringify(f32([1], 0, 4))},"a":${JSON.stringify(f32([1], 4, 8))}}`, eight),
      /names "a" twice/,
    ],
    ['an entry that is not an object', file({ a: 5 }), /tensor "a": expected an object .* got number 5/],
    [
      'an entry without dtype',
      file({ a: { shape: [2], data_offsets: [0, 8] } }, eight),
      /tensor "a": missing dtype/,
    ],
    ['an entry without shape', file({ a: { dtype: 'F32', data_offsets: [0, 8] } }, eight), /missing shape/],
    [
      'an entry without data_offsets',
      file({ a: { dtype: 'F32', shape: [2] } }, eight),
      /missing data_offsets/,
    ],
    [
      'an entry with an extra field',
      file({ a: { ...f32([2], 0, 8), order: 'big' } }, eight),
      /unexpected field "order"/,
    ],
    [
      'an unknown dtype',
      file({ a: { ...f32([8], 0, 8), dtype: 'Q4' } }, eight),
      /unsupported dtype "Q4"; readable: BOOL/,
    ],
    [
      'an unreadable dtype',
      file({ a: { ...f32([8], 0, 8), dtype: 'F8_E4M3' } }, eight),
      /unsupported dtype "F8_E4M3"/,
    ],
    [
      'a dtype that is not a string',
      file({ a: { ...f32([2], 0, 8), dtype: 4 } }, eight),
      /unsupported dtype 4/,
    ],
    [
      'a negative shape entry',
      file({ a: f32([-2], 0, 8) }, eight),
      /shape must be an array of non-negative integers, got \[-2\]/,
    ],
    ['a fractional shape entry', file({ a: f32([1.5], 0, 8) }, eight), /got \[1.5\]/],
    ['a shape past 2^53', file({ a: f32([2 ** 60], 0, 8) }, eight), /non-negative integers/],
    [
      'a shape that is not an array',
      file({ a: { ...f32([2], 0, 8), shape: 2 } }, eight),
      /shape must be an array/,
    ],
    [
      'one offset',
      file({ a: { ...f32([2], 0, 8), data_offsets: [8] } }, eight),
      /data_offsets must be two non-negative integers \[begin, end\], got \[8\]/,
    ],
    ['a negative offset', file({ a: f32([2], -8, 0) }, eight), /got \[-8,0\]/],
    ['a fractional offset', file({ a: f32([2], 0, 7.5) }, eight), /got \[0,7.5\]/],
    [
      'offsets out of order',
      file({ a: f32([0], 8, 0) }, eight),
      /data_offsets \[8, 0\] \(file bytes 264‥256\) are out of order/,
    ],
    [
      'offsets past the data section',
      file({ a: f32([4], 0, 16) }, eight),
      /\[0, 16\] \(file bytes 256‥272\) run past the end of the 8-byte data section \(file byte 264\)/,
    ],
    [
      'offsets that do not match the shape',
      file({ a: f32([3], 0, 8) }, eight),
      /shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] \(file bytes 256‥264\) hold 8/,
    ],
    [
      'overlapping tensors',
      file({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, new Array(12).fill(0)),
      /tensor "b" at data_offsets \[4, 12\] overlaps tensor "a" at \[0, 8\] \(file byte 260\)/,
    ],
    ['two tensors on the same bytes', file({ a: f32([2], 0, 8), b: f32([2], 0, 8) }, eight), /overlaps/],
    [
      'an empty tensor inside another',
      file({ a: f32([2], 0, 8), e: f32([0], 4, 4) }, eight),
      /tensor "e" .* overlaps tensor "a"/,
    ],
    [
      'a gap between tensors',
      file({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, new Array(12).fill(0)),
      /data bytes 4‥8 \(file bytes 260‥264\) belong to no tensor/,
    ],
    [
      'a gap before the first tensor',
      file({ a: f32([1], 4, 8) }, eight),
      /data bytes 0‥4 \(file bytes 256‥260\) belong to no tensor/,
    ],
    [
      'unclaimed bytes at the end',
      file({ a: f32([1], 0, 4) }, eight),
      /data bytes 4‥8 \(file bytes 260‥264\) belong to no tensor/,
    ],
    ['data and no tensors', file({}, eight), /data bytes 0‥8/],
    [
      'metadata that is not an object',
      file({ __metadata__: 'v1' }),
      /__metadata__ must be an object of strings, got the string "v1"/,
    ],
    [
      'metadata that is null',
      file({ __metadata__: null }),
      /__metadata__ must be an object of strings, got null/,
    ],
    [
      'a metadata value that is not a string',
      file({ __metadata__: { epoch: 3 } }),
      /__metadata__ value of "epoch" must be a string, got number 3/,
    ],
    [
      'a name with a lone surrogate',
      file(`{"\\ud800":${JSON.stringify(f32([2], 0, 8))}}`, eight),
      /not valid Unicode/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    void it(`refuses ${name}`, () => {
      assert.throws(
        () => loadSafetensors(bytes),
        (e: Error) => {
          assert.ok(e instanceof SerializationError, `${e.name}: ${e.message}`);
          assert.match(e.message, /^loadSafetensors\(bytes\): /);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }

  void it('refuses a value that is not a Uint8Array', () => {
    assert.throws(() => loadSafetensors(new ArrayBuffer(16) as unknown as Uint8Array), ArgumentError);
    assert.throws(() => loadSafetensors([8, 0, 0, 0] as unknown as Uint8Array), ArgumentError);
  });

  void it('accepts the same layouts the format allows: whitespace around the header, empty tensors anywhere between', () => {
    const bytes = file(
      ` {"e":${JSON.stringify(f32([0, 4], 4, 4))},"a":${JSON.stringify(f32([1], 0, 4))},"b":${JSON.stringify(f32([1], 4, 8))}} `,
      le('setUint32', [0x3f800000, 0x40000000]),
    );
    const { tensors } = loadSafetensors(bytes);
    assert.deepEqual(tensors.e!.shape, [0, 4]);
    assert.deepEqual([tensors.a!.item(), tensors.b!.item()], [1, 2]);
  });
});

void describe('saveSafetensors bad input', () => {
  const x = zeros([2]);
  const cases: [string, () => unknown, new (...args: never[]) => Error, RegExp][] = [
    [
      'a value that is not a Tensor',
      () => saveSafetensors({ a: [1, 2] as unknown as Tensor }),
      SerializationError,
      /'a' is an array, not a Tensor/,
    ],
    [
      'a number value',
      () => saveSafetensors({ a: 3 as unknown as Tensor }),
      SerializationError,
      /'a' is number 3, not a Tensor/,
    ],
    ['an empty name', () => saveSafetensors({ '': x }), SerializationError, /name is empty/],
    [
      'the reserved metadata name',
      () => saveSafetensors({ __metadata__: x }),
      SerializationError,
      /reserved/,
    ],
    [
      'names equal after normalisation',
      () => saveSafetensors({ 'caf\u00e9': x, 'cafe\u0301': x }),
      SerializationError,
      /look the same/,
    ],
    [
      'a name with a lone surrogate',
      () => saveSafetensors({ 'a\ud800': x }),
      SerializationError,
      /not valid Unicode/,
    ],
    [
      'a metadata value that is not a string',
      () => saveSafetensors({ a: x }, { epoch: 3 as unknown as string }),
      SerializationError,
      /"epoch" is number 3, not a string/,
    ],
    [
      'metadata with a lone surrogate',
      () => saveSafetensors({ a: x }, { note: '\udc00' }),
      SerializationError,
      /"note" is not valid Unicode/,
    ],
    [
      'metadata that is an array',
      () => saveSafetensors({ a: x }, ['a'] as unknown as Record<string, string>),
      ArgumentError,
      /metadata/,
    ],
    [
      'tensors that are null',
      () => saveSafetensors(null as unknown as Record<string, Tensor>),
      ArgumentError,
      /got null/,
    ],
    [
      'tensors in a Map',
      () => saveSafetensors(new Map([['a', x]]) as unknown as Record<string, Tensor>),
      ArgumentError,
      /got a Map/,
    ],
    [
      'a single tensor',
      () => saveSafetensors(x as unknown as Record<string, Tensor>),
      ArgumentError,
      /got a Tensor/,
    ],
  ];
  for (const [name, call, error, message] of cases) {
    void it(`refuses ${name}`, () => {
      assert.throws(
        call,
        (e: Error) =>
          e instanceof error &&
          /^saveSafetensors\((tensors|metadata)\): /.test(e.message) &&
          message.test(e.message),
      );
    });
  }
});
