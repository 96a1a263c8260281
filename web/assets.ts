/**
 * The files the playground ships as static assets: the Fashion-MNIST subset, the pretrained checkpoint and
 * the sample photos. Written as `new URL(…, import.meta.url)`, so the bundler copies each one into the build.
 */

/** The shipped Fashion-MNIST subset (10,000 training and 2,000 test images, gzip IDX). */
export const SUBSET = {
  trainImages: new URL('../data/fashion-mnist-subset/train-images-idx3-ubyte.gz', import.meta.url).href,
  trainLabels: new URL('../data/fashion-mnist-subset/train-labels-idx1-ubyte.gz', import.meta.url).href,
  testImages: new URL('../data/fashion-mnist-subset/t10k-images-idx3-ubyte.gz', import.meta.url).href,
  testLabels: new URL('../data/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz', import.meta.url).href,
} as const;

/** The checkpoint `scripts/make-pretrained.sh` trained on the full Fashion-MNIST. */
export const PRETRAINED = new URL('../data/pretrained/fashion-mnist-small-cnn.safetensors', import.meta.url)
  .href;

/** Sample photos for the image kernels. */
export const PHOTOS = {
  'Chelsea the cat (PNG)': new URL('../data/images/chelsea.png', import.meta.url).href,
  'A rocket (JPEG)': new URL('../data/images/rocket.jpg', import.meta.url).href,
} as const;

/** The bytes at `url`, or an error naming it. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
