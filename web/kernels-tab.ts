/**
 * The Image-kernels tab: a named kernel from the library's table (`vision.KERNEL_DEFINITIONS`) or a typed
 * matrix, applied with `vision.applyKernel` to a sample photo or an uploaded one.
 */
import type { Tensor } from 'convnet-ts';
import { vision } from 'convnet-ts';
import { PHOTOS, fetchBytes } from './assets.js';
import { drawImage } from './pixels.js';
import { byId } from './dom.js';

/** Wires up the tab. */
export function setupKernelsTab(): void {
  const form = byId('kernel-form', HTMLFormElement);
  const photoSelect = byId('kernel-photo', HTMLSelectElement);
  const kernelSelect = byId('kernel-name', HTMLSelectElement);
  const matrixBox = byId('kernel-matrix', HTMLTextAreaElement);
  const description = byId('kernel-description', HTMLElement);
  const errorBox = byId('kernel-error', HTMLElement);
  const caption = byId('kernel-caption', HTMLElement);
  for (const name of Object.keys(PHOTOS)) photoSelect.add(new Option(name, name));
  for (const definition of vision.KERNEL_DEFINITIONS) {
    const spec = definition.name;
    kernelSelect.add(new Option(spec, spec, spec === 'sobel-x', spec === 'sobel-x'));
  }
  let photo: Tensor | null = null;

  const describe = (): void => {
    const definition = vision.KERNEL_DEFINITIONS.find((d) => d.name === kernelSelect.value);
    description.textContent = definition === undefined ? '' : `${definition.name}: ${definition.description}`;
  };
  const loadPhoto = async (bytes: Uint8Array, name: string): Promise<void> => {
    photo = vision.decodeImage(bytes, name).image;
    drawImage(byId('kernel-original', HTMLCanvasElement), photo);
    await Promise.resolve();
    apply();
  };
  const apply = (): void => {
    if (photo === null) return;
    const typed = matrixBox.value.trim();
    try {
      const spec = typed === '' ? kernelSelect.value : vision.parseKernelMatrix(typed);
      const chosen = vision.kernel(spec);
      const result = vision.applyKernel(photo, chosen, {
        output: byId('kernel-output', HTMLSelectElement).value as vision.OutputMode,
        convolve: byId('kernel-convolve', HTMLInputElement).checked,
      });
      drawImage(byId('kernel-result', HTMLCanvasElement), result);
      caption.textContent = `${chosen.name} (${chosen.matrix.length}×${chosen.matrix[0]!.length})`;
      caption.dataset.applied = chosen.name;
      errorBox.hidden = true;
    } catch (error) {
      errorBox.textContent = error instanceof Error ? error.message : String(error);
      errorBox.hidden = false;
    }
  };
  const choosePhoto = (): void => {
    const url = PHOTOS[photoSelect.value as keyof typeof PHOTOS];
    void fetchBytes(url).then((bytes) => loadPhoto(bytes, photoSelect.value));
  };

  photoSelect.addEventListener('change', choosePhoto);
  kernelSelect.addEventListener('change', () => {
    matrixBox.value = '';
    describe();
    apply();
  });
  byId('kernel-upload', HTMLInputElement).addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    void file.arrayBuffer().then((buffer) => loadPhoto(new Uint8Array(buffer), file.name));
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  describe();
  choosePhoto();
}
