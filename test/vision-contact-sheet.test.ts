/**
 * The contact sheet: its size follows the grid arithmetic, each tile's pixels land in its box (enlarged by
 * a whole factor, or downscaled, and centred), labels and the title are drawn, and bad arguments are
 * refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgumentError, Tensor, full, vision } from '../src/index.js';
import { fitTile, renderContactSheet } from '../src/node/index.js';

/** A `(C, H, W)` image filled with one colour per channel. */
function solid(colour: readonly number[], h: number, w: number): Tensor {
  const data = new Float32Array(colour.length * h * w);
  colour.forEach((v, c) => data.fill(v, c * h * w, (c + 1) * h * w));
  return new Tensor(data, [colour.length, h, w]);
}

/** The sheet decoded: `pixel(x, y)` is its RGB as 0..255 integers. */
function decodeSheet(png: Uint8Array): {
  width: number;
  height: number;
  pixel: (x: number, y: number) => number[];
} {
  const { image } = vision.decodeImage(png, 'sheet.png');
  const [, height, width] = image.shape as [number, number, number];
  const pixel = (x: number, y: number): number[] =>
    [0, 1, 2].map((c) => Math.round(255 * image.data[c * height * width + y * width + x]!));
  return { width, height, pixel };
}

/** True if any pixel of the rectangle is not white. */
function inked(
  sheet: ReturnType<typeof decodeSheet>,
  x0: number,
  y0: number,
  width: number,
  height: number,
): boolean {
  for (let y = y0; y < y0 + height; y++) {
    for (let x = x0; x < x0 + width; x++) {
      if (sheet.pixel(x, y).some((v) => v < 200)) return true;
    }
  }
  return false;
}

// Layout constants documented on renderContactSheet: 12 px gaps, a 22 px label band, a 30 px title band.
const GAP = 12;
const LABEL = 22;
const TILE = 64;

void describe('renderContactSheet', () => {
  const tiles = [
    { label: 'red', image: solid([1, 0, 0], 8, 8) },
    { label: '', image: full([1, 16, 32], 0) },
    { label: 'blue, tall', image: solid([0, 0, 1], 200, 100) },
  ];

  void it('lays tiles out in a grid: size, positions, enlargement, downscaling and labels', async () => {
    const sheet = decodeSheet(await renderContactSheet(tiles, { tileSize: TILE, columns: 2 }));
    assert.equal(sheet.width, 2 * TILE + 3 * GAP);
    assert.equal(sheet.height, 2 * (TILE + LABEL) + 3 * GAP);
    // Tile 0, 8×8 enlarged 8 times: fills its box exactly.
    for (const [x, y] of [
      [GAP + 1, GAP + 1],
      [GAP + TILE / 2, GAP + TILE / 2],
      [GAP + TILE - 2, GAP + TILE - 2],
    ] as const) {
      assert.deepEqual(sheet.pixel(x, y), [255, 0, 0], `red at ${x},${y}`);
    }
    // Tile 1, gray 16×32 enlarged twice to 64×32 and centred vertically: rows 16..47 of its box.
    const x1 = GAP + TILE + GAP;
    assert.deepEqual(sheet.pixel(x1 + 5, GAP + 16 + 5), [0, 0, 0]);
    assert.deepEqual(sheet.pixel(x1 + 5, GAP + 5), [240, 240, 240], 'the box around a smaller image');
    // Tile 2, 200×100 downscaled to 64×32 and centred horizontally, on the second row.
    const y2 = GAP + TILE + LABEL + GAP;
    assert.deepEqual(sheet.pixel(GAP + 16 + 5, y2 + 5), [0, 0, 255]);
    assert.deepEqual(sheet.pixel(GAP + 5, y2 + 5), [240, 240, 240]);
    // Labels are drawn under their tile; the empty label leaves its band white.
    assert.ok(inked(sheet, GAP, GAP + TILE, TILE, LABEL), 'label "red"');
    assert.ok(inked(sheet, GAP, y2 + TILE, TILE, LABEL), 'label "blue, tall"');
    assert.ok(!inked(sheet, x1, GAP + TILE, TILE, LABEL), 'no label');
    // The fourth cell is empty.
    assert.ok(!inked(sheet, x1, y2, TILE, TILE + LABEL));
  });

  void it('draws a title above the grid and puts all tiles on one row by default (up to 4)', async () => {
    const sheet = decodeSheet(await renderContactSheet(tiles, { tileSize: TILE, title: 'Kernels' }));
    assert.equal(sheet.width, 3 * TILE + 4 * GAP);
    assert.equal(sheet.height, 30 + TILE + LABEL + 2 * GAP);
    assert.ok(inked(sheet, 0, 0, sheet.width, 30), 'title');
    assert.deepEqual(sheet.pixel(GAP + 5, 30 + GAP + 5), [255, 0, 0]);
  });

  void it('takes gray (H, W) tiles', async () => {
    const sheet = decodeSheet(
      await renderContactSheet([{ label: 'gray', image: full([20, 20], 0.5) }], { tileSize: 40 }),
    );
    assert.deepEqual(sheet.pixel(GAP + 20, GAP + 20), [128, 128, 128]);
  });

  void it('refuses bad arguments', async () => {
    const red = solid([1, 0, 0], 4, 4);
    const bad: [string, () => Promise<Uint8Array>][] = [
      ['no tiles', () => renderContactSheet([])],
      ['not a tensor', () => renderContactSheet([{ label: 'x', image: [[1]] as unknown as Tensor }])],
      ['two channels', () => renderContactSheet([{ label: 'x', image: full([2, 4, 4], 0) }])],
      ['no label', () => renderContactSheet([{ image: red } as unknown as { label: string; image: Tensor }])],
      ['a tile size below 16', () => renderContactSheet([{ label: 'x', image: red }], { tileSize: 8 })],
      ['zero columns', () => renderContactSheet([{ label: 'x', image: red }], { columns: 0 })],
    ];
    for (const [what, call] of bad) {
      await assert.rejects(call, (e: unknown) => {
        assert.ok(e instanceof ArgumentError, `${what}: ${String(e)}`);
        assert.equal(e.op, 'renderContactSheet', what);
        return true;
      });
    }
  });
});

void describe('fitTile', () => {
  void it('downscales larger images to the tile size, aspect kept, and leaves smaller ones', () => {
    assert.deepEqual(fitTile(full([3, 300, 451], 0.5), 128).shape, [3, 85, 128]);
    assert.deepEqual(fitTile(full([1, 64, 16], 0.5), 32).shape, [1, 32, 8]);
    const small = full([3, 10, 20], 0.25);
    assert.equal(fitTile(small, 32), small);
    assert.deepEqual(fitTile(full([10, 20], 0.25)).shape, [1, 10, 20]);
  });

  void it('refuses bad arguments', () => {
    assert.throws(() => fitTile(full([4, 8, 8], 0)), ArgumentError);
    assert.throws(() => fitTile(full([3, 8, 8], 0), 0), ArgumentError);
  });
});
