/**
 * A labelled contact sheet: images side by side in a grid, each with its name underneath, drawn as SVG
 * (every tile an embedded PNG) and rasterised to PNG by resvg with the DejaVu Sans font.
 */
import { Buffer } from 'node:buffer';
import { resize } from '../../data/transforms.js';
import { ArgumentError } from '../../errors.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { encodePng } from '../../vision/codec.js';
import { FONT_FAMILY, rasterizeSvg } from '../report/rasterize.js';

/** One image of a contact sheet and the label drawn under it. */
export interface ContactSheetTile {
  /** The text under the tile, e.g. the kernel's name; cut with '…' if wider than the tile. */
  readonly label: string;
  /** `(C, H, W)` with C = 1 (gray) or 3 (RGB), or `(H, W)`; values clamped to [0, 1]. */
  readonly image: Tensor;
}

/** Options of {@link renderContactSheet}. */
export interface ContactSheetOptions {
  /**
   * The side of the square box each image is fitted into, in pixels (default 256, at least 16). Larger
   * images are downscaled (antialiased) to fit; smaller ones are enlarged by the largest whole factor that
   * fits, drawn as blocks of pixels. The aspect ratio is kept; the image is centred in its box.
   */
  tileSize?: number;
  /** Tiles per row (default: all of them up to 4). */
  columns?: number;
  /** A heading drawn above the grid. */
  title?: string;
}

/** The default side of a tile's box, in pixels. */
export const DEFAULT_TILE_SIZE = 256;

/** Space around and between tiles, in pixels. */
const GAP = 12;
/** The band under each tile that holds its label, in pixels. */
const LABEL_HEIGHT = 22;
const LABEL_FONT_SIZE = 13;
/** The band above the grid that holds the title, when there is one, in pixels. */
const TITLE_HEIGHT = 30;
const TITLE_FONT_SIZE = 16;
/** A DejaVu Sans glyph's average advance, as a fraction of the font size, for cutting long labels. */
const GLYPH_WIDTH = 0.6;

/**
 * The PNG bytes of a contact sheet of `tiles`: a white grid of `columns` tiles per row (in the order
 * given), each image fitted into a `tileSize` square box (see {@link ContactSheetOptions.tileSize}) with
 * its label centred under it, and the `title` above. The sheet is `columns · tileSize + (columns + 1) · 12`
 * pixels wide and `rows · (tileSize + 22) + (rows + 1) · 12` high, plus 30 with a title.
 *
 * @throws {ArgumentError} if there are no tiles, a tile is not an image tensor, or an option is invalid
 *
 * @example
 * const photo = readImageFile('cat.png').image;
 * const sheet = await renderContactSheet([
 *   { label: 'original', image: photo },
 *   { label: 'sobel-x', image: vision.applyKernel(photo, 'sobel-x') },
 * ]);
 * writeFileSync('sheet.png', sheet);
 */
export async function renderContactSheet(
  tiles: readonly ContactSheetTile[],
  options?: ContactSheetOptions,
): Promise<Uint8Array> {
  const op = 'renderContactSheet';
  const list: unknown = tiles;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ArgumentError(op, 'tiles', 'expected a non-empty array of { label, image }');
  }
  tiles.forEach((tile, i) => {
    checkTile(tile, op, `tiles[${i}]`);
  });
  const tileSize = options?.tileSize ?? DEFAULT_TILE_SIZE;
  if (!Number.isSafeInteger(tileSize) || tileSize < 16) {
    throw new ArgumentError(op, 'tileSize', `expected an integer >= 16, got ${String(tileSize)}`);
  }
  const columns = options?.columns ?? Math.min(tiles.length, 4);
  if (!Number.isSafeInteger(columns) || columns < 1) {
    throw new ArgumentError(op, 'columns', `expected an integer >= 1, got ${String(columns)}`);
  }
  const title = options?.title;
  if (title !== undefined && typeof title !== 'string') {
    throw new ArgumentError(op, 'title', `expected a string, got ${typeof title}`);
  }
  return rasterizeSvg(contactSheetSvg(tiles, tileSize, Math.min(columns, tiles.length), title), 1);
}

/**
 * `image` as a contact sheet embeds it in a `tileSize` box: downscaled (bilinear, antialiased) so that its
 * longer side is `tileSize` when it is larger, else unchanged; always `(C, H, W)`. Callers that collect
 * many large images for a sheet can shrink each one as it comes instead of keeping them all.
 *
 * @example
 * fitTile(photo, 128).shape   // [3, 85, 128] for a 451×300 photo
 */
export function fitTile(image: Tensor, tileSize = DEFAULT_TILE_SIZE): Tensor {
  const op = 'fitTile';
  checkImage(image, op, 'image');
  if (!Number.isSafeInteger(tileSize) || tileSize < 1) {
    throw new ArgumentError(op, 'tileSize', `expected a positive integer, got ${String(tileSize)}`);
  }
  const chw = image.ndim === 2 ? image.reshape([1, ...image.shape]) : image;
  const [, h, w] = chw.shape as [number, number, number];
  if (Math.max(h, w) <= tileSize) return chw;
  const scale = tileSize / Math.max(h, w);
  return resize([Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))])(chw);
}

function checkTile(tile: ContactSheetTile, op: string, argument: string): void {
  if (typeof tile !== 'object' || tile === null || typeof tile.label !== 'string') {
    throw new ArgumentError(op, argument, 'expected { label: string, image: Tensor }');
  }
  checkImage(tile.image, op, `${argument}.image`);
}

function checkImage(image: Tensor, op: string, argument: string): void {
  if (!(image instanceof Tensor)) throw new ArgumentError(op, argument, 'expected a Tensor');
  const channels = image.ndim === 2 ? 1 : image.ndim === 3 ? image.shape[0] : 0;
  if ((channels !== 1 && channels !== 3) || image.size === 0) {
    throw new ArgumentError(
      op,
      argument,
      `expected a non-empty image (C, H, W) with C = 1 or 3, or (H, W), got shape ${formatShape(image.shape)}`,
    );
  }
}

/** The SVG document of the sheet. */
function contactSheetSvg(
  tiles: readonly ContactSheetTile[],
  tileSize: number,
  columns: number,
  title: string | undefined,
): string {
  const rows = Math.ceil(tiles.length / columns);
  const top = title === undefined ? 0 : TITLE_HEIGHT;
  const width = columns * tileSize + (columns + 1) * GAP;
  const height = top + rows * (tileSize + LABEL_HEIGHT) + (rows + 1) * GAP;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
  ];
  if (title !== undefined) {
    parts.push(
      `<text x="${width / 2}" y="${GAP + TITLE_FONT_SIZE}" font-size="${TITLE_FONT_SIZE}" font-weight="bold" text-anchor="middle" fill="#222">${escapeXml(cut(title, width - 2 * GAP, TITLE_FONT_SIZE))}</text>`,
    );
  }
  tiles.forEach((tile, i) => {
    const x = GAP + (i % columns) * (tileSize + GAP);
    const y = top + GAP + Math.floor(i / columns) * (tileSize + LABEL_HEIGHT + GAP);
    parts.push(tileSvg(tile, x, y, tileSize));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One tile: a light box, the image centred in it (pixelated when enlarged), the label under it. */
function tileSvg(tile: ContactSheetTile, x: number, y: number, tileSize: number): string {
  const image = fitTile(tile.image, tileSize);
  const [, h, w] = image.shape as [number, number, number];
  const factor = Math.max(1, Math.floor(tileSize / Math.max(h, w)));
  const [shownW, shownH] = [w * factor, h * factor];
  const left = x + Math.floor((tileSize - shownW) / 2);
  const top = y + Math.floor((tileSize - shownH) / 2);
  const png = Buffer.from(encodePng(image)).toString('base64');
  const label = escapeXml(cut(tile.label, tileSize, LABEL_FONT_SIZE));
  return [
    `<rect x="${x}" y="${y}" width="${tileSize}" height="${tileSize}" fill="#f0f0f0"/>`,
    `<image x="${left}" y="${top}" width="${shownW}" height="${shownH}" preserveAspectRatio="none" image-rendering="optimizeSpeed" href="data:image/png;base64,${png}"/>`,
    `<text x="${x + tileSize / 2}" y="${y + tileSize + LABEL_HEIGHT - 6}" font-size="${LABEL_FONT_SIZE}" text-anchor="middle" fill="#222">${label}</text>`,
  ].join('\n');
}

/** `text`, cut to what fits in `width` pixels at `fontSize` with a final '…'. */
function cut(text: string, width: number, fontSize: number): string {
  const fits = Math.max(1, Math.floor(width / (GLYPH_WIDTH * fontSize)));
  const chars = Array.from(new Intl.Segmenter().segment(text), (s) => s.segment);
  return chars.length <= fits ? text : `${chars.slice(0, fits - 1).join('')}…`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
