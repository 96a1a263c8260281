/**
 * SVG to PNG with resvg compiled to WebAssembly (no native build), drawing text in the DejaVu Sans font
 * files of the `dejavu-fonts-ttf` package, since WebAssembly sees no system fonts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Resvg, initWasm } from '@resvg/resvg-wasm';

/** The font family the figures ask for: DejaVu Sans, which the rasteriser has, then any sans-serif. */
export const FONT_FAMILY = 'DejaVu Sans, sans-serif';

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

const require = createRequire(import.meta.url);
let fonts: Uint8Array[] | undefined;
let wasmReady: Promise<void> | undefined;

/** Compiles resvg's WebAssembly once per process and loads the fonts. */
async function ready(): Promise<Uint8Array[]> {
  wasmReady ??= initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  await wasmReady;
  fonts ??= FONT_FILES.map((file) => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`)));
  return fonts;
}

/** The PNG bytes of an SVG document drawn at `scale` pixels per SVG unit on a white background. */
export async function rasterizeSvg(svg: string, scale: number): Promise<Uint8Array> {
  const fontBuffers = await ready();
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { fontBuffers, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
