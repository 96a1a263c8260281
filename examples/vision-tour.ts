/**
 * The `vision` module in a page: read a photo, apply named kernels with the library's own convolution,
 * combine the Sobel pair into edges, pool, and write PNGs. Run with `npx tsx examples/vision-tour.ts`.
 */
import { mkdirSync } from 'node:fs';
import { vision } from 'convnet-ts';
import { readImageFile, writeImageFile } from 'convnet-ts/node';

const { image, alpha, bitDepth, format } = readImageFile('data/images/chelsea.png');
console.log(`read ${format}, ${bitDepth}-bit, shape [${image.shape.join(', ')}], alpha: ${alpha !== null}`);

const sobelX = vision.kernel('sobel-x');
console.log(
  `${sobelX.name}: ${JSON.stringify(sobelX.matrix)}, separable: ${JSON.stringify(sobelX.separable)}`,
);
console.log(`gaussian → ${vision.kernel('gaussian').name}`);

const blurred = vision.applyKernel(image, 'gaussian:5:1.4', { paddingMode: 'reflect' });
const gx = vision.applyKernel(image, sobelX, { output: 'none' });
const flipped = vision.applyKernel(image, sobelX, { output: 'none', convolve: true });
console.log(
  `convolution flips Sobel-x, so it negates it: max |gx + flipped| = ${gx.add(flipped).abs().max().item()}`,
);
const edges = vision.edgeMagnitude(image, { norm: 'l2' });
const pooled = vision.poolImage(image, { mode: 'max', kernelSize: 20 });
const valid = vision.applyKernel(image, 'laplacian-8', { padding: 'valid' });
console.log(
  `edges [${edges.shape.join(', ')}], pooled [${pooled.shape.join(', ')}], valid [${valid.shape.join(', ')}]`,
);

mkdirSync('vision-tour', { recursive: true });
writeImageFile('vision-tour/blurred.png', blurred);
writeImageFile('vision-tour/edges.png', edges);
writeImageFile('vision-tour/pooled.jpg', pooled, { quality: 90 });
console.log('wrote vision-tour/blurred.png, vision-tour/edges.png, vision-tour/pooled.jpg');
