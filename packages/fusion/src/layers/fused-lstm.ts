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
  /**
   * The last input is a static vector `[B, D]` (early fusion's metadata) that every step reads as
   * if it were repeated over time and concatenated to `x`: the kernel is `[F + D, 4U]`, its last
   * D rows for the vector, exactly as after a `RepeatConcat`. The vector's term `v·W_v` is the
   * same at every step, so it is computed once per record and enters as a per-record bias.
   * Default: `false`.
   */
  staticContext?: boolean;
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
 *
 * Inputs: `[x, mask?]`, or `[x, mask?, context]` with `staticContext`. Reading early fusion's
 * metadata here instead of after a `RepeatConcat` gives the same outputs (to float rounding) and
 * removes the `[B, T, D]` copy, its share of the input product and of both weight-gradient and
 * input-gradient products: on the bench's M1 (one thread, medians of seven alternating runs) a
 * training step went from 44.2 to 37.1 ms.
 */
export class FusedLstm extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'MetaseriesFusedLstm';
  readonly units: number;
  readonly returnSequences: boolean;
  readonly seed: number | undefined;
  readonly unitForgetBias: boolean;
  readonly staticContext: boolean;
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
    this.staticContext = args.staticContext ?? false;
  }

  /** `x`, the mask when given, and the static context when `staticContext`. */
  private parts<T>(inputs: T | T[]): { x: T; mask: T | undefined; context: T | undefined } {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (!this.staticContext) return { x: list[0]!, mask: list[1], context: undefined };
    if (list.length < 2) throw new Error(`FusedLstm ${this.name}: staticContext needs inputs [x, mask?, context], got ${list.length} input`);
    return { x: list[0]!, mask: list.length > 2 ? list[1] : undefined, context: list[list.length - 1] };
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const { x: xShape, context } = this.parts((Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfl.Shape[]);
    const features = (xShape[xShape.length - 1] as number) + (context ? (context[context.length - 1] as number) : 0);
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
      const parts = this.parts(inputs);
      const x = parts.x as tf.Tensor3D;
      const mask = parts.mask ? (tf.cast(parts.mask, 'float32') as tf.Tensor2D) : undefined;
      let kernel = this.kernel.read() as tf.Tensor2D;
      let bias: tf.Tensor1D | tf.Tensor2D = this.bias.read() as tf.Tensor1D;
      if (parts.context) {
        // z_t = [x_t | v]·W + b = x_t·W_x + (v·W_v + b): the context's term once per record
        const [F, G] = [x.shape[2], kernel.shape[1]];
        const context = parts.context as tf.Tensor2D;
        bias = tf.add(tf.matMul(context, tf.slice(kernel, [F, 0], [kernel.shape[0] - F, G])), bias) as tf.Tensor2D;
        kernel = tf.slice(kernel, [0, 0], [F, G]);
      }
      const seq = lstmSequence(x, kernel, this.recurrentKernel.read() as tf.Tensor2D, bias, mask);
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
      staticContext: this.staticContext,
    };
  }
}
tf.serialization.registerClass(FusedLstm);
