import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { project, zeros, type LayerArgs } from './layer-args.js';

/** Arguments of {@link Film} (only the base layer arguments: its weights start at zero). */
export type FilmArgs = LayerArgs;

/**
 * Feature-wise linear modulation (Perez et al. 2018):
 * `[features [B,F], metadata [B,D]] → features · (1 + γ) + β` with `γ = metadata·Wγ + bγ` and
 * `β = metadata·Wβ + bβ`. Every weight starts at zero, so the layer starts as the identity and
 * learns how the metadata should rescale and shift each feature.
 */
export class Film extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesFilm';
  private weightsByName: Record<string, tfl.LayerVariable> = {};

  constructor(args: FilmArgs = {}) {
    super(args);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [features, meta] = inputShape as tfl.Shape[];
    const f = features[features.length - 1] as number;
    const d = meta[1] as number;
    for (const [name, shape] of [
      ['gamma_kernel', [d, f]],
      ['gamma_bias', [f]],
      ['beta_kernel', [d, f]],
      ['beta_bias', [f]],
    ] as const) {
      this.weightsByName[name] = this.addWeight(name, [...shape], 'float32', zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, meta] = inputs as tf.Tensor[];
      const v = (n: string) => this.weightsByName[n].read();
      let gamma = project(meta, v('gamma_kernel'), v('gamma_bias'));
      let beta = project(meta, v('beta_kernel'), v('beta_bias'));
      if (x.rank === 3) {
        gamma = tf.expandDims(gamma, 1);
        beta = tf.expandDims(beta, 1);
      }
      return tf.add(tf.mul(x, tf.add(gamma, 1)), beta);
    });
  }
}
tf.serialization.registerClass(Film);
