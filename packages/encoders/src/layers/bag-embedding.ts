import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Arguments of {@link BagEmbedding}. */
export interface BagEmbeddingArgs extends LayerArgs {
  /** Embedding width. Required. */
  units: number;
  /** Seed of the uniform(-0.05, 0.05) initialiser. Default: unseeded. */
  seed?: number;
}

/**
 * An embedding bag: `weights [..., V] · E [V, units]`. With bag weights of 1/n per present tag
 * (or hashed token) this is the mean of their embeddings; with counts, the sum. Rows of zeros
 * (padding) contribute nothing. Works on any leading shape (`[B, V]` or per step `[B, T, V]`).
 */
export class BagEmbedding extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesBagEmbedding';
  readonly units: number;
  readonly seed: number | undefined;
  private embeddings!: tfl.LayerVariable;

  constructor(args: BagEmbeddingArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new MetaseriesError('ENCODER_BAD_OPTION', 'BagEmbedding units must be a positive integer', { field: 'units', value: args.units, expected: 'integer >= 1' });
    }
    this.units = args.units;
    this.seed = args.seed ?? undefined;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = inputShape as tfl.Shape;
    this.embeddings = this.addWeight(
      'embeddings',
      [shape[shape.length - 1] as number, this.units],
      'float32',
      tfl.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = inputShape as tfl.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const v = x.shape[x.shape.length - 1]!;
      const flat = tf.reshape(x, [-1, v]) as tf.Tensor2D;
      const y = tf.matMul(flat, this.embeddings.read() as tf.Tensor2D);
      return tf.reshape(y, [...x.shape.slice(0, -1), this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, seed: this.seed ?? null };
  }
}
tf.serialization.registerClass(BagEmbedding);
