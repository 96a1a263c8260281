import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data } from '../src/index.js';
import { readMnistCsv } from '../src/node/data/index.js';

const { DataError, parseMnistCsv } = data;

const HEADER = ['label', ...Array.from({ length: 784 }, (_, i) => `pixel${i}`)].join(',');

/** One CSV line: `label`, then pixel `i` = `pixel(i)`. */
function row(label: number | string, pixel: (i: number) => number | string = (i) => i % 256): string {
  return [label, ...Array.from({ length: 784 }, (_, i) => pixel(i))].join(',');
}

function assertCsvError(
  text: string,
  line: number | undefined,
  column: number | undefined,
  pattern: RegExp,
): void {
  assert.throws(
    () => parseMnistCsv(text, 'digits.csv'),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.equal(error.file, 'digits.csv');
      assert.equal(error.line, line, error.message);
      assert.equal(error.column, column, error.message);
      assert.match(error.message, /^parseMnistCsv\(digits\.csv\): /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

void describe('parseMnistCsv', () => {
  void it('reads lines of label and 784 pixels into (N, 1, 28, 28) images in [0, 1]', () => {
    const { images, labels } = parseMnistCsv(`${row(7)}\n${row(0, () => 255)}\n`, 'digits.csv');
    assert.deepEqual([...images.shape], [2, 1, 28, 28]);
    assert.equal(images.dtype, 'float32');
    assert.equal(labels.dtype, 'int32');
    assert.deepEqual([...labels.data], [7, 0]);
    assert.equal(images.data[0], 0);
    assert.equal(images.data[51], Math.fround(51 / 255));
    assert.equal(images.data[28 + 3], Math.fround(31 / 255));
    assert.equal(images.data[784], 1);
  });

  void it('skips a header line and accepts CRLF, spaces and trailing blank lines', () => {
    const text = `${HEADER}\r\n${row(3, (i) => (i === 0 ? ' 12 ' : 0))}\r\n${row(4)}\r\n\r\n  \n`;
    const { images, labels } = parseMnistCsv(text, 'digits.csv');
    assert.deepEqual([...labels.data], [3, 4]);
    assert.equal(images.data[0], Math.fround(12 / 255));
    assert.equal(images.shape[0], 2);
  });

  void it('reads a last line without a newline', () => {
    assert.deepEqual([...parseMnistCsv(`${row(1)}\n${row(2)}`, 'digits.csv').labels.data], [1, 2]);
  });

  void describe('malformed files', () => {
    const cases: [string, string, number | undefined, number | undefined, RegExp][] = [
      ['a non-numeric pixel', `${row(1)}\n${row(2, (i) => (i === 9 ? 'x' : 0))}\n`, 2, 11, /got "x"/],
      ['a fractional pixel', row(1, (i) => (i === 0 ? '0.5' : 0)), 1, 2, /got "0.5"/],
      ['a negative label', row(-1), 1, 1, /got "-1"/],
      ['a label that is a word', `${row(1)}\n${row('seven')}`, 2, 1, /got "seven"/],
      ['a negative pixel', row(1, (i) => (i === 783 ? -3 : 0)), 1, 785, /got "-3"/],
      ['an empty field', row(1, (i) => (i === 5 ? '' : 0)), 1, 7, /got ""/],
      ['a pixel above 255', row(1, (i) => (i === 100 ? 256 : 0)), 1, 102, /256 is outside 0…255/],
      [
        'too few fields',
        `${row(1)}\n${row(2)}\n${row(3).split(',').slice(0, 784).join(',')}\n`,
        3,
        784,
        /784 fields/,
      ],
      ['too many fields', `${row(1)},0\n`, 1, 786, /too many fields/],
      ['a trailing comma', `${row(1)},\n`, 1, 786, /got ""/],
      ['an empty line between data lines', `${row(1)}\n\n${row(2)}\n`, 2, undefined, /empty line/],
      ['a header of the wrong width', `label,pixel0\n${row(1)}\n`, 1, undefined, /header has 2 fields/],
      ['no data lines', `${HEADER}\n`, undefined, undefined, /no data lines/],
      ['an empty file', '', undefined, undefined, /file is empty/],
    ];
    for (const [name, text, line, column, pattern] of cases) {
      void it(name, () => {
        assertCsvError(text, line, column, pattern);
      });
    }
  });
});

void describe('readMnistCsv', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'convnet-csv-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('reads a file', () => {
    const path = join(root, 'train.csv');
    writeFileSync(path, `${HEADER}\n${row(5)}\n`);
    const { images, labels } = readMnistCsv(path);
    assert.deepEqual([...images.shape], [1, 1, 28, 28]);
    assert.deepEqual([...labels.data], [5]);
  });

  void it('names a missing file and the line of a bad one', () => {
    const missing = join(root, 'missing.csv');
    assert.throws(
      () => readMnistCsv(missing),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.equal(error.file, missing);
        assert.match(error.message, /no such file/);
        return true;
      },
    );
    const bad = join(root, 'bad.csv');
    writeFileSync(bad, `${row(1)}\n${row('seven')}\n`);
    assert.throws(() => readMnistCsv(bad), new RegExp(`${bad.replaceAll('/', '\\/')}\\): line 2, column 1`));
  });
});
