/**
 * The model the Draw and Look-inside tabs use: the shipped pretrained checkpoint, or the one trained on
 * this page, run layer by layer so every layer's output can be shown.
 */
import type { Tensor } from 'convnet-ts';
import { checkpoint, data, noGrad } from 'convnet-ts';

/** One layer's output for the current input. */
export interface LayerOutput {
  readonly index: number;
  readonly type: string;
  readonly output: Tensor;
}

/** What a model made of one input. */
export interface Prediction {
  /** One probability per class. */
  readonly probabilities: Float32Array;
  /** Every layer's output, in order. */
  readonly layers: readonly LayerOutput[];
}

/** A loaded checkpoint with a label for the page. */
export class PlaygroundModel {
  readonly loaded: checkpoint.Checkpoint;
  private readonly standardise: (x: Tensor) => Tensor;

  constructor(
    bytes: Uint8Array,
    readonly label: string,
  ) {
    this.loaded = checkpoint.loadCheckpoint(bytes, label);
    this.loaded.model.eval();
    this.standardise = data.normalize(this.loaded.preprocessing.mean, this.loaded.preprocessing.std);
  }

  /** The class names. */
  get classes(): readonly string[] {
    return this.loaded.classes;
  }

  /** The layer types, by position. */
  get layerTypes(): string[] {
    return this.loaded.architecture.layers.map((layer) => layer.type);
  }

  /** Runs `image` — `(1, 28, 28)` in [0, 1] — through every layer. */
  predict(image: Tensor): Prediction {
    return noGrad(() => {
      const { model } = this.loaded;
      let x = this.standardise(image).reshape([1, ...image.shape]);
      const layers: LayerOutput[] = this.layerTypes.map((type, index) => {
        x = model.at(index).forward(x);
        return { index, type, output: x };
      });
      return { probabilities: Float32Array.from(x.softmax(1).data), layers };
    });
  }
}
