/**
 * The training history the report draws — one record per epoch — and its validation.
 */
import { ArgumentError } from '../../errors.js';

/** What one epoch of training measured. */
export interface EpochRecord {
  /** The epoch's number (an integer ≥ 0; records come in increasing order). */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches. */
  readonly trainLoss: number;
  /** Training accuracy over the epoch, in `[0, 1]`. */
  readonly trainAccuracy: number;
  /** Loss on the test set after the epoch. */
  readonly testLoss: number;
  /** Accuracy on the test set after the epoch, in `[0, 1]`. */
  readonly testAccuracy: number;
  /** The learning rate the epoch ended with. */
  readonly lr: number;
  /** How long the epoch took, in seconds. */
  readonly seconds: number;
}

/** Options of the learning-curve figures. */
export interface LearningCurvesOptions {
  /** The figure's title (default `'Learning curves'`). */
  title?: string;
  /**
   * The training loss of every step (batch): `stepLosses[i]` holds the steps of `history[i]`, drawn evenly
   * spaced over that epoch as a thin line under the epoch points. An empty array draws nothing for its
   * epoch (say, epochs restored from an earlier run).
   */
  stepLosses?: readonly (readonly number[])[];
}

const FIELDS = ['epoch', 'trainLoss', 'trainAccuracy', 'testLoss', 'testAccuracy', 'lr', 'seconds'] as const;

/**
 * Checks a history and its options: at least one record, every field a finite number, epochs integers
 * increasing from record to record, accuracies in `[0, 1]`, and step losses (if any) one finite array per
 * record.
 */
export function checkHistory(
  history: unknown,
  options: LearningCurvesOptions | undefined,
  op: string,
): asserts history is readonly EpochRecord[] {
  if (!Array.isArray(history)) {
    throw new ArgumentError(op, 'history', `expected an array of epoch records, got ${describe(history)}`);
  }
  if (history.length === 0) throw new ArgumentError(op, 'history', 'expected at least one epoch record');
  history.forEach((record: unknown, i) => {
    if (typeof record !== 'object' || record === null) {
      throw new ArgumentError(
        op,
        'history',
        `history[${i}] is ${describe(record)}, expected an epoch record`,
      );
    }
    for (const field of FIELDS) {
      const value = (record as Record<string, unknown>)[field];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ArgumentError(
          op,
          'history',
          `history[${i}].${field} is ${describe(value)}, expected a finite number`,
        );
      }
    }
    const { epoch, trainAccuracy, testAccuracy } = record as EpochRecord;
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new ArgumentError(op, 'history', `history[${i}].epoch is ${epoch}, expected an integer ≥ 0`);
    }
    if (i > 0 && epoch <= (history[i - 1] as EpochRecord).epoch) {
      throw new ArgumentError(
        op,
        'history',
        `history[${i}].epoch is ${epoch}, expected more than the previous record's ${(history[i - 1] as EpochRecord).epoch}`,
      );
    }
    for (const [field, value] of [
      ['trainAccuracy', trainAccuracy],
      ['testAccuracy', testAccuracy],
    ] as const) {
      if (value < 0 || value > 1) {
        throw new ArgumentError(
          op,
          'history',
          `history[${i}].${field} is ${value}, expected a fraction in [0, 1]`,
        );
      }
    }
  });
  if (options === undefined || options === null) return;
  if (typeof options !== 'object')
    throw new ArgumentError(op, 'options', `expected an object, got ${describe(options)}`);
  if (options.title !== undefined && typeof options.title !== 'string') {
    throw new ArgumentError(op, 'title', `expected a string, got ${describe(options.title)}`);
  }
  const steps = options.stepLosses;
  if (steps === undefined) return;
  if (!Array.isArray(steps) || steps.length !== history.length) {
    throw new ArgumentError(
      op,
      'stepLosses',
      `expected one array of step losses per epoch record (${history.length}), got ${Array.isArray(steps) ? `${steps.length} arrays` : describe(steps)}`,
    );
  }
  steps.forEach((losses: unknown, i) => {
    if (!Array.isArray(losses)) {
      throw new ArgumentError(
        op,
        'stepLosses',
        `stepLosses[${i}] is ${describe(losses)}, expected an array of numbers`,
      );
    }
    losses.forEach((loss: unknown, k) => {
      if (typeof loss !== 'number' || !Number.isFinite(loss)) {
        throw new ArgumentError(
          op,
          'stepLosses',
          `stepLosses[${i}][${k}] is ${describe(loss)}, expected a finite number`,
        );
      }
    });
  });
}

/** A short description of a value for an error message: `NaN`, `'text'`, `null`, `an object`… */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
