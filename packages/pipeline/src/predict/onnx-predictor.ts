import type * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError, type TensorDataMap } from '@metaseries/core';
import { exportOnnx } from '@metaseries/fusion';

/** Which engine runs the model at prediction time. */
export type PredictorKind = 'auto' | 'onnx' | 'tfjs';

/** The parts of onnxruntime-node's API used here (it is an optional dependency, typed locally). */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  Tensor: new (type: 'float32' | 'int32', data: Float32Array | Int32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
}

let runtime: Promise<OrtModule | null> | undefined;

/**
 * onnxruntime-node, loaded once by dynamic import; `null` when it is not installed or its
 * native binding does not load on this machine (then prediction falls back to tfjs).
 */
export function loadOnnxRuntime(): Promise<OrtModule | null> {
  const specifier = 'onnxruntime-node';
  runtime ??= import(specifier).then(
    (m: { default?: OrtModule } & Partial<OrtModule>) => (m.InferenceSession ? (m as OrtModule) : (m.default ?? null)),
    () => null,
  );
  return runtime;
}

/** Raw outputs of one batch by output name: values and shape. */
export type OnnxOutputs = Record<string, { data: Float32Array; dims: number[] }>;

/** A model served by onnxruntime: one inference session, fed by input name. */
export class OnnxPredictor {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
  ) {}

  /**
   * A session for the ONNX model `bytes`. Throws `PREDICT_ONNX_UNAVAILABLE` when
   * onnxruntime-node cannot be loaded.
   */
  static async create(bytes: Uint8Array, options: { threads?: number } = {}): Promise<OnnxPredictor> {
    const ort = await loadOnnxRuntime();
    if (!ort) {
      throw new MetaseriesError('PREDICT_ONNX_UNAVAILABLE', 'onnxruntime-node is not installed or does not load here; install it (optional dependency) or predict with predictor: "tfjs"', {
        field: 'predictor',
        value: 'onnx',
        expected: 'auto | tfjs',
      });
    }
    const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all', executionMode: 'sequential' };
    if (options.threads) sessionOptions['intraOpNumThreads'] = options.threads;
    return new OnnxPredictor(ort, await ort.InferenceSession.create(bytes, sessionOptions));
  }

  /** The model's input names, in order. */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /** Runs one batch; `inputs` holds at least every model input by name. */
  async run(inputs: TensorDataMap): Promise<OnnxOutputs> {
    const feeds: Record<string, OrtTensor> = {};
    for (const name of this.session.inputNames) {
      const t = inputs[name];
      if (!t) throw new MetaseriesError('PREDICT_MISSING_FIELD', `the batch has no input ${name}`, { field: name });
      feeds[name] = new this.ort.Tensor(t.dtype, t.data, t.shape);
    }
    const results = await this.session.run(feeds);
    const out: OnnxOutputs = {};
    for (const name of this.session.outputNames) {
      const r = results[name]!;
      out[name] = { data: r.data as Float32Array, dims: [...r.dims] };
    }
    return out;
  }

  /** Frees the session. */
  release(): Promise<void> {
    return this.session.release();
  }
}

const sessions = new WeakMap<tfl.LayersModel, Promise<OnnxPredictor | null>>();

/**
 * The onnxruntime predictor of a model, created once per model object: from `onnx` (a bundle's
 * `model.onnx`) or exported with fusion's `exportOnnx`. With `kind` `'auto'`, `null` when the
 * runtime is missing or the model cannot be exported exactly (`ONNX_UNSUPPORTED_LAYER`); with
 * `'onnx'` those errors are thrown.
 */
export async function onnxPredictorFor(model: tfl.LayersModel, onnx: Uint8Array | undefined, kind: 'auto' | 'onnx'): Promise<OnnxPredictor | null> {
  let pending = sessions.get(model);
  if (!pending) {
    pending = (async () => OnnxPredictor.create(onnx ?? exportOnnx(model)))();
    sessions.set(model, pending);
  }
  try {
    return await pending;
  } catch (e) {
    if (kind === 'onnx') throw e;
    return null;
  }
}

/** Marks a model's onnxruntime predictor as unusable (after a failed run in `'auto'` mode). */
export function dropOnnxPredictor(model: tfl.LayersModel): void {
  sessions.set(model, Promise.resolve(null));
}
