import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MetaseriesError } from '@metaseries/core';
import { convertActivation, convertIdentity } from './activation-converter.js';
import { convertMetadataAttentionPooling, convertMultiHeadSelfAttention } from './attention-converter.js';
import { convertConv1d } from './conv1d-converter.js';
import { convertDense } from './dense-converter.js';
import { convertBagEmbedding, convertEmbedding, convertFlatten } from './embedding-converter.js';
import { unsupported, type LayerConverter, type StaticShape } from './layer-converter.js';
import { convertApplyMask, convertMaskedPooling } from './mask-converter.js';
import { convertAdd, convertAverage, convertConcatenate } from './merge-converter.js';
import { convertFilm, convertMetadataGate, convertRepeatConcat } from './metadata-fusion-converter.js';
import { convertBatchNormalization, convertLayerNormalization } from './normalization-converter.js';
import { ONNX_FLOAT, ONNX_INT32, OnnxGraph } from './onnx-graph.js';
import { convertGlobalAveragePooling1d, convertMaxPooling1d } from './pooling-converter.js';
import { convertPositionalEncoding } from './positional-encoding-converter.js';
import { convertBidirectional, convertFusedGru, convertFusedLstm, convertRecurrent } from './recurrent-converter.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Graph name stored in the model. Default: the tfjs model's name. */
  name?: string;
  /**
   * Rows of the positional-encoding table of a variable-length (timeSteps null) Transformer:
   * the longest series the exported model accepts. Default: `1024`.
   */
  maxTimeSteps?: number;
  /** `producer_version` written into the model. Default: `'0.1.0'`. */
  producerVersion?: string;
}

/** Defaults of {@link ExportOnnxOptions} (`name` defaults to the model's own name). */
export const defaultExportOnnxOptions: Required<Omit<ExportOnnxOptions, 'name'>> = { maxTimeSteps: 1024, producerVersion: '0.1.0' };

/** The ONNX operator set the exporter writes (LayerNormalization needs 17). */
export const ONNX_OPSET = 17;
/** The ONNX IR version the exporter writes. */
export const ONNX_IR_VERSION = 8;

/** One converter per tfjs-layers class name (metaseries layers are registered as `Metaseries<Name>`). */
const CONVERTERS: Record<string, LayerConverter> = {
  Dense: convertDense,
  Activation: convertActivation,
  Dropout: convertIdentity,
  Conv1D: convertConv1d,
  MaxPooling1D: convertMaxPooling1d,
  GlobalAveragePooling1D: convertGlobalAveragePooling1d,
  BatchNormalization: convertBatchNormalization,
  LayerNormalization: convertLayerNormalization,
  Embedding: convertEmbedding,
  Flatten: convertFlatten,
  Concatenate: convertConcatenate,
  Add: convertAdd,
  Average: convertAverage,
  LSTM: convertRecurrent,
  GRU: convertRecurrent,
  Bidirectional: convertBidirectional,
  MetaseriesFusedLstm: convertFusedLstm,
  MetaseriesFusedGru: convertFusedGru,
  MetaseriesApplyMask: convertApplyMask,
  MetaseriesMaskedPooling: convertMaskedPooling,
  MetaseriesRepeatConcat: convertRepeatConcat,
  MetaseriesPositionalEncoding: convertPositionalEncoding,
  MetaseriesMultiHeadSelfAttention: convertMultiHeadSelfAttention,
  MetaseriesMetadataAttentionPooling: convertMetadataAttentionPooling,
  MetaseriesFilm: convertFilm,
  MetaseriesMetadataGate: convertMetadataGate,
  MetaseriesBagEmbedding: convertBagEmbedding,
};

/** The tfjs-layers class names {@link exportOnnx} converts. */
export const ONNX_CONVERTIBLE_LAYERS: readonly string[] = Object.keys(CONVERTERS);

interface SymbolicLike {
  id: number;
  name: string;
  dtype: string;
  shape: StaticShape;
}

interface NodeLike {
  inputTensors: SymbolicLike[];
  outputTensors: SymbolicLike[];
}

/** A layer's weights by their own short name (the part after the last `/`). */
function weightsByName(layer: tfl.layers.Layer): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  const values = layer.getWeights();
  layer.weights.forEach((w, i) => {
    out[(w.originalName ?? w.name).split('/').pop()!] = values[i]!;
  });
  return out;
}

/** ONNX dims: the batch axis is `batch`, any other variable axis (the series' steps) `time`. */
function dims(shape: StaticShape): Array<number | string> {
  return shape.map((d, i) => (typeof d === 'number' ? d : i === 0 ? 'batch' : 'time'));
}

/**
 * Exports a trained tfjs-layers model (as built by `buildModel`, or any model made of the
 * layers in {@link ONNX_CONVERTIBLE_LAYERS}) to an ONNX `ModelProto` (opset 17, IR 8), ready
 * for onnxruntime. Inputs and outputs keep the model's names, dtypes and shapes (batch and a
 * variable time axis are symbolic: `batch`, `time`); inference behaviour only (dropout is the
 * identity, batch norm uses its moving statistics). Every layer is converted to ops that
 * compute what tfjs computes, padded (masked) steps included.
 *
 * Throws `ONNX_UNSUPPORTED_LAYER` naming the layer (class and name) when a layer, or a
 * setting of one, has no exact equivalent — nothing is exported that would predict differently.
 */
export function exportOnnx(model: tfl.LayersModel, options: ExportOnnxOptions = {}): Uint8Array {
  const o = { ...defaultExportOnnxOptions, name: model.name, ...options };
  const graph = new OnnxGraph();
  const values = new Map<number, string>();
  const masks = new Map<number, string | null>();

  model.inputs.forEach((input, i) => {
    const s = input as unknown as SymbolicLike;
    const name = model.inputNames[i]!;
    if (s.dtype !== 'float32' && s.dtype !== 'int32') {
      throw new MetaseriesError('ONNX_UNSUPPORTED_LAYER', `input ${name} has dtype ${s.dtype}`, { field: name, value: s.dtype, expected: 'float32 | int32' });
    }
    values.set(s.id, graph.addInput({ name, elemType: s.dtype === 'int32' ? ONNX_INT32 : ONNX_FLOAT, shape: dims(s.shape) }));
    masks.set(s.id, null);
  });

  const pending = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const layer of pending) {
    const convert = CONVERTERS[layer.getClassName()];
    if (!convert) throw unsupported(layer, `no converter for class ${layer.getClassName()}`);
    const nodes = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes.filter((n) => n.inputTensors.every((t) => values.has(t.id)));
    if (nodes.length === 0) throw unsupported(layer, 'its inputs were not converted before it (not in topological order)');
    const weights = weightsByName(layer);
    for (const node of nodes) {
      const result = convert({
        graph,
        layer,
        inputs: node.inputTensors.map((t) => values.get(t.id)!),
        inputShapes: node.inputTensors.map((t) => t.shape),
        mask: masks.get(node.inputTensors[0]!.id) ?? null,
        weights,
        maxTimeSteps: o.maxTimeSteps,
      });
      if (result.outputs.length !== node.outputTensors.length) {
        throw unsupported(layer, `converter gave ${result.outputs.length} outputs for ${node.outputTensors.length}`);
      }
      node.outputTensors.forEach((t, i) => {
        values.set(t.id, result.outputs[i]!);
        masks.set(t.id, i === 0 ? (result.mask ?? null) : null);
      });
    }
  }

  model.outputs.forEach((output, i) => {
    const s = output as unknown as SymbolicLike;
    const value = values.get(s.id);
    if (value === undefined) throw new MetaseriesError('ONNX_UNSUPPORTED_LAYER', `output ${model.outputNames[i]} was not produced`, { field: model.outputNames[i] });
    graph.addOutput(value, { name: model.outputNames[i]!, elemType: ONNX_FLOAT, shape: dims(s.shape) });
  });

  return graph.toModelProto({ name: o.name, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, producerName: '@metaseries/fusion', producerVersion: o.producerVersion });
}
