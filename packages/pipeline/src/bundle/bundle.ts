import type * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import { exportOnnx } from '@metaseries/fusion';
import { readVerifiedBundleFiles, type BundleFiles, type BundleManifest } from './bundle-manifest.js';
import { locateBundleFolder, writeBundleFolder } from './atomic-bundle-folder.js';
import { MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, deserializeModel, serializeModel } from './model-artifacts.js';
import { packageVersions } from './package-versions.js';

/** File name of the fitted preprocessing inside a bundle. */
export const PREPROCESSING_FILE = 'preprocessing.json';
/** File name of the metrics inside a bundle. */
export const METRICS_FILE = 'metrics.json';
/** File name of the model's ONNX export inside a bundle (written by `saveBundle(…, { onnx: true })`). */
export const ONNX_FILE = 'model.onnx';

/** Options of {@link saveBundle}. */
export interface SaveBundleOptions {
  /**
   * Also write `model.onnx`, the model exported by fusion's `exportOnnx` (opset 17), so that
   * `predict` serves it with onnxruntime-node without exporting it again. Throws
   * `ONNX_UNSUPPORTED_LAYER` for a model that cannot be exported exactly. Default: `false`.
   */
  onnx?: boolean;
}

/**
 * A trained model with everything needed to serve it exactly as it was trained: the tfjs
 * model, the fitted preprocessing (plain JSON) and its metrics. What `fit` returns,
 * `saveBundle` writes and `loadBundle` reads.
 */
export interface ModelBundle<P extends object = Record<string, unknown>> {
  /** The tfjs-layers model (outputs `probabilities`, and `attention` where the fusion has it). */
  model: tfl.LayersModel;
  /** Fitted preprocessing: schema, normaliser, encoder state, classes, model config, temperature. */
  preprocessing: P;
  /** Metrics by split (`valid`, `test`) and anything else worth keeping. */
  metrics: Record<string, unknown>;
  /**
   * Extra files to keep in the bundle (e.g. checkpoint state), by file name: a `Uint8Array` is
   * written as is (name it `*.bin`), anything else as JSON. Default: none.
   */
  extras?: Record<string, unknown>;
  /** The manifest it was loaded with or last saved with. */
  manifest?: BundleManifest;
  /** The model as ONNX (`model.onnx`), when the bundle was saved with it. */
  onnx?: Uint8Array;
}

const RESERVED = new Set([MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, PREPROCESSING_FILE, METRICS_FILE, ONNX_FILE]);

function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** The files of a bundle, as bytes, without writing them (`model.onnx` too with `options.onnx`). */
export async function serializeBundle(bundle: ModelBundle<object>, options: SaveBundleOptions = {}): Promise<BundleFiles> {
  const { modelJson, weights } = await serializeModel(bundle.model);
  const files: BundleFiles = new Map([
    [MODEL_JSON_FILE, modelJson],
    [MODEL_WEIGHTS_FILE, weights],
    [PREPROCESSING_FILE, jsonBytes(bundle.preprocessing)],
    [METRICS_FILE, jsonBytes(bundle.metrics)],
  ]);
  if (options.onnx) files.set(ONNX_FILE, exportOnnx(bundle.model));
  for (const [name, value] of Object.entries(bundle.extras ?? {})) {
    if (RESERVED.has(name)) throw new MetaseriesError('BUNDLE_INVALID_FILE_NAME', `extra file ${name} would overwrite a bundle file`, { field: name });
    files.set(name, value instanceof Uint8Array ? value : jsonBytes(value));
  }
  return files;
}

/**
 * Writes `bundle` as the folder `dir` (`model.json`, `weights.bin`, `preprocessing.json`,
 * `metrics.json`, extras, and `manifest.json` with the format version, package versions and
 * the size and sha256 of every file; with `options.onnx`, `model.onnx` too). Crash-safe: everything is written and fsynced in a
 * staging folder beside `dir`, then swapped in by rename, so a kill at any moment leaves
 * either the previous bundle or the new one (see `atomic-bundle-folder.ts` for the protocol).
 * Returns the manifest written.
 */
export async function saveBundle(bundle: ModelBundle<object>, dir: string, options: SaveBundleOptions = {}): Promise<BundleManifest> {
  const files = await serializeBundle(bundle, options);
  const manifest = await writeBundleFolder(dir, files, packageVersions());
  bundle.manifest = manifest;
  const onnx = files.get(ONNX_FILE);
  if (onnx) bundle.onnx = onnx;
  else delete bundle.onnx;
  return manifest;
}

/**
 * Reads and verifies the bundle at `dir`. Refuses, with its own code, a folder that is not a
 * bundle (`BUNDLE_NOT_FOUND`), has no manifest (`BUNDLE_MISSING_MANIFEST`), was written by a
 * newer format (`BUNDLE_FORMAT_TOO_NEW`), lacks a file (`BUNDLE_FILE_MISSING`), holds a
 * truncated file (`BUNDLE_TRUNCATED`) or a changed one (`BUNDLE_CHECKSUM_MISMATCH`, naming the
 * file). When a save was killed between its two renames, reads the bundle from where that save
 * left it (without changing anything; the next save tidies up).
 */
export async function loadBundle<P extends object = Record<string, unknown>>(dir: string): Promise<ModelBundle<P>> {
  const located = await locateBundleFolder(dir);
  if (!located) throw new MetaseriesError('BUNDLE_NOT_FOUND', `no bundle folder at ${dir}`, { file: dir, expected: 'a folder written by saveBundle' });
  const { manifest, files } = await readVerifiedBundleFiles(located.folder);
  const need = (name: string): Uint8Array => {
    const bytes = files.get(name);
    if (!bytes) throw new MetaseriesError('BUNDLE_FILE_MISSING', `bundle manifest does not list ${name}`, { file: dir, field: name });
    return bytes;
  };
  const parse = (name: string): unknown => {
    try {
      return JSON.parse(new TextDecoder().decode(need(name)));
    } catch (e) {
      throw new MetaseriesError('BUNDLE_FILE_INVALID', `${name} is not valid JSON`, { file: dir, field: name }, { cause: e });
    }
  };
  const model = await deserializeModel(need(MODEL_JSON_FILE), need(MODEL_WEIGHTS_FILE), MODEL_JSON_FILE);
  const onnx = files.get(ONNX_FILE);
  const extras: Record<string, unknown> = {};
  for (const name of files.keys()) if (!RESERVED.has(name)) extras[name] = name.endsWith('.bin') ? need(name) : parse(name);
  return {
    model,
    preprocessing: parse(PREPROCESSING_FILE) as P,
    metrics: parse(METRICS_FILE) as Record<string, unknown>,
    ...(Object.keys(extras).length > 0 && { extras }),
    ...(onnx && { onnx }),
    manifest,
  };
}
