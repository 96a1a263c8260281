/**
 * The messages between the page and its training worker.
 */

/** What the page asks the worker to train. */
export interface TrainSettings {
  /** A built-in model name, or `'small-cnn'` (examples/architectures/small-cnn.json). */
  readonly model: string;
  readonly optimizer: string;
  /** The learning rate, or null for the optimizer's default. */
  readonly lr: number | null;
  readonly epochs: number;
  readonly batchSize: number;
  /** How many of the subset's 10,000 training images to use. */
  readonly trainImages: number;
  readonly seed: number;
}

/** Page → worker (to stop, the page terminates the worker). */
export type ToWorker =
  | { readonly type: 'start'; readonly settings: TrainSettings }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' };

/** Worker → page. */
export type FromWorker =
  | {
      readonly type: 'started';
      readonly threads: number;
      readonly parameters: number;
      readonly trainImages: number;
      readonly testImages: number;
    }
  | {
      readonly type: 'batch';
      readonly epoch: number;
      readonly epochs: number;
      readonly batch: number;
      readonly batches: number;
      /** This batch's loss. */
      readonly loss: number;
      /** The running accuracy of the epoch so far. */
      readonly accuracy: number;
      readonly imagesPerSecond: number;
      readonly secondsLeft: number;
    }
  | { readonly type: 'testing'; readonly epoch: number }
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly trainLoss: number;
      readonly trainAccuracy: number;
      readonly testLoss: number;
      readonly testAccuracy: number;
      /** The checkpoint of the model after this epoch. */
      readonly checkpoint: Uint8Array;
    }
  | { readonly type: 'paused' }
  | { readonly type: 'resumed' }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };
