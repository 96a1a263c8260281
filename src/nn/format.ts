/**
 * Python-style formatting for module summaries, so `toString()` reads exactly as PyTorch's `repr`:
 * floats as Python prints them (`1.0`, `1e-05`), booleans as `True`/`False`, lists as tuples (`(3, 3)`,
 * `(3,)`), `null` as `None`.
 */

/** A float as Python's `repr` prints it: `1.0`, `0.01`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** `True` or `False`. */
export function pyBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** An integer, a list of integers as a Python tuple (`(3, 3)`, `(3,)`), or `None` for null entries. */
export function pyInts(value: number | null | readonly (number | null)[]): string {
  if (value === null) return 'None';
  if (typeof value === 'number') return String(value);
  const items = value.map((v) => (v === null ? 'None' : String(v)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** A string in Python's quotes: `'none'`. */
export function pyString(value: string): string {
  return `'${value}'`;
}

/** An integer with thousands separators: `421,642`. */
export function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
