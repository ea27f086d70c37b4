import * as tf from '@tensorflow/tfjs-core';

/*
 * tfjs-core's CommonJS build (what Node and jest load) does not attach the chained tensor
 * methods (`t.flatten()`, `t.reshape()`, ...) that tfjs-layers calls, e.g. in the orthogonal
 * initializer of an LSTM ("rMat.flatten is not a function"). The ESM build attaches them from
 * `public/chained_ops/*`, which Node cannot load. This file attaches the same methods, generated
 * from tfjs-core 4.22.0's `dist/public/chained_ops`: each calls the op with the tensor first.
 */

type OpName = keyof typeof tf;

/** `method: op` pairs where `t.method(...args)` is `tf.op(t, ...args)`. */
const SIMPLE_CHAINED_OPS: ReadonlyArray<readonly [string, OpName]> = [
  ['abs', 'abs'],
  ['acos', 'acos'],
  ['acosh', 'acosh'],
  ['add', 'add'],
  ['all', 'all'],
  ['any', 'any'],
  ['argMax', 'argMax'],
  ['argMin', 'argMin'],
  ['asType', 'cast'],
  ['asin', 'asin'],
  ['asinh', 'asinh'],
  ['atan', 'atan'],
  ['atan2', 'atan2'],
  ['atanh', 'atanh'],
  ['batchToSpaceND', 'batchToSpaceND'],
  ['batchNorm', 'batchNorm'],
  ['broadcastTo', 'broadcastTo'],
  ['cast', 'cast'],
  ['ceil', 'ceil'],
  ['clipByValue', 'clipByValue'],
  ['conv1d', 'conv1d'],
  ['conv2d', 'conv2d'],
  ['cos', 'cos'],
  ['cosh', 'cosh'],
  ['cumprod', 'cumprod'],
  ['cumsum', 'cumsum'],
  ['depthToSpace', 'depthToSpace'],
  ['div', 'div'],
  ['divNoNan', 'divNoNan'],
  ['dot', 'dot'],
  ['elu', 'elu'],
  ['equal', 'equal'],
  ['erf', 'erf'],
  ['euclideanNorm', 'euclideanNorm'],
  ['exp', 'exp'],
  ['expandDims', 'expandDims'],
  ['expm1', 'expm1'],
  ['fft', 'fft'],
  ['floor', 'floor'],
  ['floorDiv', 'floorDiv'],
  ['gather', 'gather'],
  ['greater', 'greater'],
  ['greaterEqual', 'greaterEqual'],
  ['ifft', 'ifft'],
  ['irfft', 'irfft'],
  ['isFinite', 'isFinite'],
  ['isInf', 'isInf'],
  ['isNaN', 'isNaN'],
  ['leakyRelu', 'leakyRelu'],
  ['less', 'less'],
  ['lessEqual', 'lessEqual'],
  ['log', 'log'],
  ['log1p', 'log1p'],
  ['logSigmoid', 'logSigmoid'],
  ['logSoftmax', 'logSoftmax'],
  ['logSumExp', 'logSumExp'],
  ['logicalAnd', 'logicalAnd'],
  ['logicalNot', 'logicalNot'],
  ['logicalOr', 'logicalOr'],
  ['logicalXor', 'logicalXor'],
  ['matMul', 'matMul'],
  ['max', 'max'],
  ['maximum', 'maximum'],
  ['mean', 'mean'],
  ['min', 'min'],
  ['minimum', 'minimum'],
  ['mirrorPad', 'mirrorPad'],
  ['mod', 'mod'],
  ['mul', 'mul'],
  ['neg', 'neg'],
  ['norm', 'norm'],
  ['notEqual', 'notEqual'],
  ['onesLike', 'onesLike'],
  ['pad', 'pad'],
  ['pool', 'pool'],
  ['pow', 'pow'],
  ['prelu', 'prelu'],
  ['prod', 'prod'],
  ['reciprocal', 'reciprocal'],
  ['relu', 'relu'],
  ['relu6', 'relu6'],
  ['reshape', 'reshape'],
  ['reverse', 'reverse'],
  ['rfft', 'rfft'],
  ['round', 'round'],
  ['rsqrt', 'rsqrt'],
  ['selu', 'selu'],
  ['sigmoid', 'sigmoid'],
  ['sign', 'sign'],
  ['sin', 'sin'],
  ['sinh', 'sinh'],
  ['slice', 'slice'],
  ['softmax', 'softmax'],
  ['softplus', 'softplus'],
  ['spaceToBatchND', 'spaceToBatchND'],
  ['split', 'split'],
  ['sqrt', 'sqrt'],
  ['square', 'square'],
  ['squaredDifference', 'squaredDifference'],
  ['squeeze', 'squeeze'],
  ['step', 'step'],
  ['stridedSlice', 'stridedSlice'],
  ['sub', 'sub'],
  ['sum', 'sum'],
  ['tan', 'tan'],
  ['tanh', 'tanh'],
  ['tile', 'tile'],
  ['topk', 'topk'],
  ['transpose', 'transpose'],
  ['unique', 'unique'],
  ['unstack', 'unstack'],
  ['zerosLike', 'zerosLike'],
];

type AnyTensor = tf.Tensor & Record<string, unknown>;
type OpFn = (...args: unknown[]) => tf.Tensor;

let installed = false;

/**
 * Attaches tfjs-core's chained tensor methods to the Tensor class if they are missing. Safe to
 * call many times; called by `initBackend`.
 */
export function installChainedOps(): void {
  if (installed) return;
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const define = (name: string, fn: (this: AnyTensor, ...args: unknown[]) => unknown) => {
    if (typeof proto[name] !== 'function') {
      Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
    }
  };
  for (const [method, op] of SIMPLE_CHAINED_OPS) {
    const fn = tf[op] as unknown as OpFn | undefined;
    if (typeof fn !== 'function') continue;
    define(method, function (this: AnyTensor, ...args: unknown[]) {
      this.throwIfDisposed();
      return fn(this, ...args);
    });
  }
  const reshapeTo = (t: AnyTensor, shape: number[]) => tf.reshape(t, shape);
  define('flatten', function () {
    return reshapeTo(this, [this.size]);
  });
  define('as1D', function () {
    return reshapeTo(this, [this.size]);
  });
  define('as2D', function (...s: unknown[]) {
    return reshapeTo(this, s as number[]);
  });
  define('as3D', function (...s: unknown[]) {
    return reshapeTo(this, s as number[]);
  });
  define('as4D', function (...s: unknown[]) {
    return reshapeTo(this, s as number[]);
  });
  define('as5D', function (...s: unknown[]) {
    return reshapeTo(this, s as number[]);
  });
  define('asScalar', function () {
    if (this.size !== 1) throw new Error('The array must have only 1 element.');
    return reshapeTo(this, []);
  });
  define('reshapeAs', function (x: unknown) {
    return reshapeTo(this, (x as tf.Tensor).shape);
  });
  define('concat', function (x: unknown, axis?: unknown) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.concat([this, ...rest], axis as number | undefined);
  });
  define('stack', function (x: unknown, axis?: unknown) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.stack([this, ...rest], axis as number | undefined);
  });
  define('oneHot', function (depth: unknown, onValue: unknown = 1, offValue: unknown = 0) {
    return tf.oneHot(
      this as unknown as tf.Tensor1D,
      depth as number,
      onValue as number,
      offValue as number,
    );
  });
  define('toBool', function () {
    return tf.cast(this, 'bool');
  });
  define('toFloat', function () {
    return tf.cast(this, 'float32');
  });
  define('toInt', function () {
    return tf.cast(this, 'int32');
  });
  define('where', function (condition: unknown, x: unknown) {
    return tf.where(condition as tf.Tensor, this, x as tf.Tensor);
  });
  installed = true;
}
