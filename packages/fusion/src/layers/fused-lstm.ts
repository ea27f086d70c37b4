import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, lstmSequence } from '@metaseries/core';
import type { LayerArgs } from './layer-args.js';

/** Arguments of {@link FusedLstm}. */
export interface FusedLstmArgs extends LayerArgs {
  /** Hidden units U. Required. */
  units: number;
  /** Return every step `[B, T, U]` (true) or the last state `[B, U]` (false). Default: `true`. */
  returnSequences?: boolean;
  /** Seed of the kernel (Glorot-uniform) and recurrent (orthogonal) initialisers. Default: unseeded. */
  seed?: number;
  /** Add 1 to the forget gate's bias at initialisation (Jozefowicz et al. 2015). Default: `true`. */
  unitForgetBias?: boolean;
}

/** `rows × cols` (rows ≤ cols) with orthonormal rows, from a seeded normal matrix. */
export function orthogonalRows(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const m = Array.from({ length: rows }, () => Float64Array.from({ length: cols }, () => rng.normal()));
  for (let i = 0; i < rows; i++) {
    const v = m[i]!;
    for (let j = 0; j < i; j++) {
      const u = m[j]!;
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += v[k]! * u[k]!;
      for (let k = 0; k < cols; k++) v[k]! -= dot * u[k]!;
    }
    let norm = 0;
    for (let k = 0; k < cols; k++) norm += v[k]! * v[k]!;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < cols; k++) v[k]! /= norm;
  }
  const out = new Float32Array(rows * cols);
  m.forEach((row, i) => out.set(row, i * cols));
  return out;
}

/**
 * An LSTM over `[x [B,T,F], mask [B,T]]` that runs the whole sequence in core's fused kernel
 * (`lstmSequence`: one kernel forward, one backward) instead of tfjs-layers' per-step ops. Same
 * maths as tfjs-layers' LSTM with `recurrentActivation: 'sigmoid'` (gates i, f, c, o); padded
 * steps (mask 0) carry the previous state, so the last step holds the last real state.
 */
export class FusedLstm extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesFusedLstm';
  readonly units: number;
  readonly returnSequences: boolean;
  readonly seed: number | undefined;
  readonly unitForgetBias: boolean;
  private kernel!: tfl.LayerVariable;
  private recurrentKernel!: tfl.LayerVariable;
  private bias!: tfl.LayerVariable;

  constructor(args: FusedLstmArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) throw new Error(`FusedLstm: units must be a positive integer, got ${args.units}`);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? true;
    this.seed = args.seed ?? undefined;
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const features = xShape[xShape.length - 1] as number;
    const U = this.units;
    this.kernel = this.addWeight('kernel', [features, 4 * U], 'float32', tfl.initializers.glorotUniform({ seed: this.seed }));
    // Orthogonal rows (Keras' default for recurrent kernels), by Gram–Schmidt in JS on a seeded
    // normal matrix: tfjs' own orthogonal initialiser runs a QR that takes tens of seconds.
    this.recurrentKernel = this.addWeight('recurrent_kernel', [U, 4 * U], 'float32', tfl.initializers.zeros());
    this.recurrentKernel.write(tf.tensor2d(orthogonalRows(U, 4 * U, this.seed === undefined ? 0x5eed : this.seed + 1), [U, 4 * U]));
    this.bias = this.addWeight('bias', [4 * U], 'float32', tfl.initializers.zeros());
    if (this.unitForgetBias) {
      this.bias.write(tf.tidy(() => tf.concat([tf.zeros([U]), tf.ones([U]), tf.zeros([2 * U])])));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const xShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return this.returnSequences ? [xShape[0]!, xShape[1]!, this.units] : [xShape[0]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const x = list[0] as tf.Tensor3D;
      const mask = list[1] ? (tf.cast(list[1], 'float32') as tf.Tensor2D) : undefined;
      const seq = lstmSequence(x, this.kernel.read() as tf.Tensor2D, this.recurrentKernel.read() as tf.Tensor2D, this.bias.read() as tf.Tensor1D, mask);
      if (this.returnSequences) return seq;
      const [B, T, U] = seq.shape;
      return tf.reshape(tf.slice(seq, [0, T - 1, 0], [B, 1, U]), [B, U]);
    });
  }

  override computeMask(): tf.Tensor {
    return null as unknown as tf.Tensor;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      seed: this.seed ?? null,
      unitForgetBias: this.unitForgetBias,
    };
  }
}
tf.serialization.registerClass(FusedLstm);
