/**
 * `convnet filter --list`: every named kernel with its spec, description, parameters and defaults, and its
 * matrix at the defaults, as aligned text.
 */
import type { KernelDefinition, KernelMatrix } from '../vision/kernels.js';
import { KERNEL_DEFINITIONS, kernel } from '../vision/kernels.js';

/** Decimals shown for matrices with non-integer entries. */
const DECIMALS = 4;

/**
 * The text of `--list`: for each kernel a header `spec  description`, its parameters (name, default,
 * description) and its matrix with the default parameters, entries right-aligned, blocks separated by a
 * blank line; then how to write a user matrix.
 */
export function kernelListing(definitions: readonly KernelDefinition[] = KERNEL_DEFINITIONS): string {
  const specs = definitions.map(specOf);
  const specWidth = Math.max(...specs.map((s) => s.length));
  const blocks = definitions.map((definition, i) => {
    const lines = [`${specs[i]!.padEnd(specWidth)}  ${definition.description}`];
    const { parameters } = definition;
    if (parameters.length > 0) {
      const nameWidth = Math.max(...parameters.map((p) => p.name.length));
      const defaults = parameters.map((p) => `default ${formatNumber(p.default)}`);
      const defaultWidth = Math.max(...defaults.map((d) => d.length));
      parameters.forEach((p, j) => {
        lines.push(`    ${p.name.padEnd(nameWidth)}  ${defaults[j]!.padEnd(defaultWidth)}  ${p.description}`);
      });
    }
    const { name, matrix } = kernel(definition.name);
    lines.push(`    ${name === definition.name ? 'matrix' : `${name} =`}`);
    lines.push(...formatMatrix(matrix).map((row) => `      ${row}`));
    return lines.join('\n');
  });
  blocks.push(
    `${'MATRIX'.padEnd(specWidth)}  a user matrix, rows in correlation orientation: -k "[[1,0],[0,-1]]" or -k "1,0;0,-1" (named "matrix 2x2")`,
  );
  return blocks.join('\n\n');
}

/** `gaussian:SIZE:SIGMA`, or the bare name of a kernel without parameters. */
function specOf(definition: KernelDefinition): string {
  return [definition.name, ...definition.parameters.map((p) => p.name)].join(':');
}

/** The rows of `matrix` with every column right-aligned to the widest entry. */
function formatMatrix(matrix: KernelMatrix): string[] {
  const integers = matrix.every((row) => row.every((v) => Number.isInteger(v)));
  const cells = matrix.map((row) =>
    row.map((v) => (integers ? formatNumber(v) : (v === 0 ? 0 : v).toFixed(DECIMALS))),
  );
  const width = Math.max(...cells.flat().map((c) => c.length));
  return cells.map((row) => row.map((c) => c.padStart(width)).join(' '));
}

/** A number without float noise: `1.0999999999999999` → `'1.1'`, `-0` → `'0'`. */
function formatNumber(value: number): string {
  return String(value === 0 ? 0 : Number(value.toPrecision(6)));
}
