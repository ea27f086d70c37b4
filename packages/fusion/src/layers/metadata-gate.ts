import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { glorot, project, zeros, type Initializer, type LayerArgs } from './layer-args.js';

/** Arguments of {@link MetadataGate}. */
export interface MetadataGateArgs extends LayerArgs {
  /** Seed of the weight initialisers (each weight uses `seed + k`). Default: unseeded. */
  seed?: number;
}

/**
 * A gated residual unit conditioned on metadata (after the gated residual network of the
 * Temporal Fusion Transformer, Lim et al. 2021):
 * `η = elu(features·Wf + metadata·Wm + b)`, `out = features + σ(η·Wg + bg) ⊙ (η·Wv + bv)`.
 * The sigmoid gate, driven by the metadata, decides per feature how much of the update reaches
 * the head; the residual path keeps the series features when the gate closes.
 */
export class MetadataGate extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesMetadataGate';
  readonly seed: number | undefined;
  private weightsByName: Record<string, tfl.LayerVariable> = {};

  constructor(args: MetadataGateArgs = {}) {
    super(args);
    this.seed = args.seed;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [features, meta] = inputShape as tfl.Shape[];
    const f = features[features.length - 1] as number;
    const d = meta[1] as number;
    const s = this.seed;
    const at = (k: number) => (s === undefined ? s : s + k);
    const w = (name: string, shape: number[], init: Initializer) => {
      this.weightsByName[name] = this.addWeight(name, shape, 'float32', init);
    };
    w('feature_kernel', [f, f], glorot(at(0)));
    w('metadata_kernel', [d, f], glorot(at(1)));
    w('hidden_bias', [f], zeros());
    w('gate_kernel', [f, f], glorot(at(2)));
    w('gate_bias', [f], zeros());
    w('value_kernel', [f, f], glorot(at(3)));
    w('value_bias', [f], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (inputShape as tfl.Shape[])[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, meta] = inputs as tf.Tensor[];
      const v = (n: string) => this.weightsByName[n].read();
      let m = project(meta, v('metadata_kernel'));
      if (x.rank === 3) m = tf.expandDims(m, 1);
      const hidden = tf.elu(tf.add(tf.add(project(x, v('feature_kernel')), m), v('hidden_bias')));
      const gate = tf.sigmoid(project(hidden, v('gate_kernel'), v('gate_bias')));
      const update = project(hidden, v('value_kernel'), v('value_bias'));
      return tf.add(x, tf.mul(gate, update));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}
tf.serialization.registerClass(MetadataGate);
