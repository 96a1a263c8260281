/**
 * `vision`: images as tensors and the classic image kernels, computed with the library's own convolution.
 *
 * - PNG and JPEG read and written as `(C, H, W)` float tensors in [0, 1], alpha kept apart ({@link decodeImage},
 *   {@link encodePng}, {@link encodeJpeg});
 * - one table of named kernels (Sobel, Prewitt, Scharr, diagonal, Laplacian, Gaussian, box, sharpen, unsharp,
 *   emboss, Laplacian of Gaussian, scale) and user matrices ({@link kernel}, {@link KERNEL_DEFINITIONS});
 * - {@link applyKernel} (correlation or true convolution, `'same'`/`'valid'`, four padding modes, separable
 *   kernels in two 1-D passes), {@link edgeMagnitude} and {@link poolImage};
 * - the seed's three 1-D demonstrations of convolution as data ({@link signalDemos}).
 */
export * from './codec.js';
export * from './kernels.js';
export * from './filter.js';
export * from './signals.js';
