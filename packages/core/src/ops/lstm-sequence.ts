import * as tf from '@tensorflow/tfjs-core';
import { getKernel, registerKernel, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapMatMul, inputGradient, transposedInfo, view, weightGradient } from './heap-products.js';
import { runSequenceOp } from './sequence-op.js';
import { makeFloatOutput, type KernelBackendLike } from '../backend/kernels/kernel-backend.js';
import { fastSigmoid as sigmoid, fastTanh as tanh } from './fast-tanh.js';
import { lstmGatesFor } from './lstm-gates-module.js';

/*
 * A whole LSTM sequence as one kernel (forward) and one kernel (backward through time).
 *
 * tfjs-layers' LSTM issues ~15 small ops per time step; on wasm each costs 25–50 µs of dispatch,
 * so a 100-step sequence spends most of its time outside arithmetic. Here a step is one matrix
 * product in the backend's own BatchMatMul kernel (h·Wr) plus one pass of JS over the gates,
 * and the input projection (X·W) and the weight gradients are one large matrix product each.
 *
 * Gate layout is Keras'/tfjs-layers': z = [i | f | c | o], each `units` wide; i, f, o use the
 * logistic sigmoid, the candidate and the output use tanh (both from `fast-tanh.ts`: no
 * transcendental call per gate, within a few float32 ulps). Masked steps (mask 0) carry the
 * previous h and c unchanged, as tfjs-layers' RNN does.
 *
 * The bias is one `[4U]` vector or one per record `[B, 4U]`: early fusion's static metadata
 * enters an LSTM as `m·W_m` at every step, the same for all of a record's steps, so it is added
 * once per record as a bias (`FusedLstm` with a context input) instead of being repeated over
 * time, concatenated to the steps and multiplied at each of them. A per-record bias's gradient
 * is each record's sum of its steps' gate gradients.
 */

export const LSTM_SEQUENCE = 'MetaseriesLstmSequence';
export const LSTM_SEQUENCE_GRAD = 'MetaseriesLstmSequenceGrad';

type Backend = KernelBackendLike;

function forwardConfig(backendName: string): KernelConfig {
  return {
    kernelName: LSTM_SEQUENCE,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as Backend;
      const { x, kernel, recurrentKernel, bias, mask } = inputs as Record<string, TensorInfo>;
      const [B, T, F] = x!.shape as [number, number, number];
      const U = recurrentKernel!.shape[0]!;
      const G = 4 * U;
      // X·W for every step at once: [B*T, F] x [F, 4U]
      const xw = heapMatMul(backendName, backend, x!, kernel!, B * T, F, G);
      const bv = b.readSync(bias!.dataId) as Float32Array;
      const biasStride = bias!.shape.length === 2 ? G : 0; // floats from one record's bias to the next
      const mv = b.readSync(mask!.dataId) as Float32Array;
      const h = makeFloatOutput(b, [1, B, U], () => undefined);
      const seq = makeFloatOutput(b, [B, T, U], () => undefined);
      const cells = makeFloatOutput(b, [B, T, U], () => undefined);
      const gates = makeFloatOutput(b, [B, T, G], () => undefined);
      const simd = U % 4 === 0 && mask!.dtype === 'float32' ? lstmGatesFor(backend) : null;
      if (simd) {
        // gates in wasm SIMD, in place on the backend's heap
        const { gates: k, ptr } = simd;
        const cState = makeFloatOutput(b, [B, U], () => undefined);
        for (let t = 0; t < T; t++) {
          const hr = heapMatMul(backendName, backend, h, recurrentKernel!, B, U, G);
          k.forwardStep(ptr(xw), ptr(hr), ptr(bias!), ptr(cState), ptr(h), ptr(seq), ptr(cells), ptr(gates), ptr(mask!), B, T, U, t, 4 * biasStride);
          b.disposeData(hr.dataId);
        }
        b.disposeData(cState.dataId);
      } else {
        const c = new Float32Array(B * U);
        for (let t = 0; t < T; t++) {
          const hr = heapMatMul(backendName, backend, h, recurrentKernel!, B, U, G);
          // views are taken after every allocation: a growing wasm heap detaches older ones
          const xwv = view(b, xw);
          const hrv = view(b, hr);
          const hv = view(b, h);
          const seqv = view(b, seq);
          const cellv = view(b, cells);
          const gv = view(b, gates);
          for (let bi = 0; bi < B; bi++) {
            const row = bi * T + t;
            const on = mv[row]! > 0;
            const zo = row * G;
            const ho = bi * U;
            const so = row * U;
            if (!on) {
              for (let u = 0; u < U; u++) {
                seqv[so + u] = hv[ho + u]!;
                cellv[so + u] = c[ho + u]!;
              }
              continue;
            }
            const ro = bi * G;
            const bo = bi * biasStride;
            for (let u = 0; u < U; u++) {
              const i = sigmoid(xwv[zo + u]! + hrv[ro + u]! + bv[bo + u]!);
              const f = sigmoid(xwv[zo + U + u]! + hrv[ro + U + u]! + bv[bo + U + u]!);
              const g = tanh(xwv[zo + 2 * U + u]! + hrv[ro + 2 * U + u]! + bv[bo + 2 * U + u]!);
              const o = sigmoid(xwv[zo + 3 * U + u]! + hrv[ro + 3 * U + u]! + bv[bo + 3 * U + u]!);
              const cn = f * c[ho + u]! + i * g;
              c[ho + u] = cn;
              const hn = o * tanh(cn);
              hv[ho + u] = hn;
              seqv[so + u] = hn;
              cellv[so + u] = cn;
              gv[zo + u] = i;
              gv[zo + U + u] = f;
              gv[zo + 2 * U + u] = g;
              gv[zo + 3 * U + u] = o;
            }
          }
          b.disposeData(hr.dataId);
        }
      }
      b.disposeData(xw.dataId);
      b.disposeData(h.dataId);
      return [seq, cells, gates];
    },
  };
}

function backwardConfig(backendName: string): KernelConfig {
  return {
    kernelName: LSTM_SEQUENCE_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as Backend;
      const perRecordBias = (attrs as { perRecordBias?: boolean }).perRecordBias === true;
      const { dy, x, kernel, recurrentKernel, mask, seq, cells, gates } = inputs as Record<string, TensorInfo>;
      const [B, T, F] = x!.shape as [number, number, number];
      const U = recurrentKernel!.shape[0]!;
      const G = 4 * U;
      const wrv = b.readSync(recurrentKernel!.dataId) as Float32Array;
      // Wr^T [4U, U], laid out once so every step's product runs without transpose flags.
      const wrT = makeFloatOutput(b, [G, U], (out) => {
        for (let r = 0; r < U; r++) for (let q = 0; q < G; q++) out[q * U + r] = wrv[r * G + q]!;
      });
      const dZ = makeFloatOutput(b, [B, T, G], () => undefined);
      const dzStep = makeFloatOutput(b, [1, B, G], () => undefined);
      const simd = U % 4 === 0 && mask!.dtype === 'float32' && dy!.dtype === 'float32' ? lstmGatesFor(backend) : null;
      if (simd) {
        const { gates: k, ptr } = simd;
        const dhT = makeFloatOutput(b, [B, U], () => undefined);
        const dcT = makeFloatOutput(b, [B, U], () => undefined);
        for (let t = T - 1; t >= 0; t--) {
          k.backwardStep(ptr(dy!), ptr(mask!), ptr(cells!), ptr(gates!), ptr(dhT), ptr(dcT), ptr(dzStep), ptr(dZ), B, T, U, t);
          // dh_{t-1} = dz_t · Wr^T (+ the carried dh of masked rows)
          const back = heapMatMul(backendName, backend, dzStep, wrT, B, G, U);
          k.carryStep(ptr(back), ptr(dhT), ptr(mask!), B, T, U, t);
          b.disposeData(back.dataId);
        }
        b.disposeData(dhT.dataId);
        b.disposeData(dcT.dataId);
      } else {
        const dyv = b.readSync(dy!.dataId) as Float32Array;
        const mv = b.readSync(mask!.dataId) as Float32Array;
        const cellv = b.readSync(cells!.dataId) as Float32Array;
        const gv = b.readSync(gates!.dataId) as Float32Array;
        const dh = new Float32Array(B * U);
        const dc = new Float32Array(B * U);
        for (let t = T - 1; t >= 0; t--) {
          const dzv = view(b, dZ);
          const dsv = view(b, dzStep);
          for (let bi = 0; bi < B; bi++) {
            const row = bi * T + t;
            const ho = bi * U;
            const zo = row * G;
            const so = bi * G;
            for (let u = 0; u < U; u++) dh[ho + u]! += dyv[row * U + u]!;
            if (!(mv[row]! > 0)) {
              // carried step: gradients flow to the previous step untouched
              for (let q = 0; q < G; q++) dsv[so + q] = 0;
              continue;
            }
            for (let u = 0; u < U; u++) {
              const i = gv[zo + u]!;
              const f = gv[zo + U + u]!;
              const g = gv[zo + 2 * U + u]!;
              const o = gv[zo + 3 * U + u]!;
              const cn = cellv[row * U + u]!;
              const cp = t > 0 ? cellv[(row - 1) * U + u]! : 0;
              const tc = tanh(cn);
              const dhu = dh[ho + u]!;
              const dcu = dc[ho + u]! + dhu * o * (1 - tc * tc);
              const dzi = dcu * g * i * (1 - i);
              const dzf = dcu * cp * f * (1 - f);
              const dzg = dcu * i * (1 - g * g);
              const dzo = dhu * tc * o * (1 - o);
              dc[ho + u] = dcu * f;
              dsv[so + u] = dzi;
              dsv[so + U + u] = dzf;
              dsv[so + 2 * U + u] = dzg;
              dsv[so + 3 * U + u] = dzo;
              dzv[zo + u] = dzi;
              dzv[zo + U + u] = dzf;
              dzv[zo + 2 * U + u] = dzg;
              dzv[zo + 3 * U + u] = dzo;
            }
          }
          // dh_{t-1} = dz_t · Wr^T (+ the carried dh of masked rows)
          const back = heapMatMul(backendName, backend, dzStep, wrT, B, G, U);
          const backv = view(b, back);
          for (let bi = 0; bi < B; bi++) {
            const on = mv[bi * T + t]! > 0;
            const ho = bi * U;
            for (let u = 0; u < U; u++) dh[ho + u] = on ? backv[ho + u]! : dh[ho + u]!;
          }
          b.disposeData(back.dataId);
        }
      }
      // H_{t-1} [B*T, U]: the sequence moved one step later within each record, zeros at t = 0
      const hPrev = makeFloatOutput(b, [B * T, U], (out) => {
        const sv = view(b, seq!);
        for (let bi = 0; bi < B; bi++) out.set(sv.subarray(bi * T * U, (bi * T + T - 1) * U), (bi * T + 1) * U);
      });
      // dWr = H_{t-1}ᵀ dZ and dW = Xᵀ dZ, as (dZᵀ H_{t-1})ᵀ and (dZᵀ X)ᵀ: the fast operand order (heap-products.ts)
      const dzT = transposedInfo(backend, dZ, B * T, G);
      const dWr = weightGradient(backendName, backend, dzT, hPrev, G, B * T, U);
            const dW = weightGradient(backendName, backend, dzT, x!, G, B * T, F, dZ);
      const dX = inputGradient(backendName, backend, dZ, dzT, kernel!, B * T, G, F);
      // the bias gradient: the gate gradients summed over all rows, or over each record's steps
      const sums = perRecordBias ? B : 1;
      const rows = perRecordBias ? T : B * T;
      let dBias: TensorInfo;
      if (simd) {
        dBias = makeFloatOutput(b, perRecordBias ? [B, G] : [G], () => undefined, { zeroed: false });
        for (let r = 0; r < sums; r++) simd.gates.columnSums(simd.ptr(dZ) + 4 * r * rows * G, simd.ptr(dBias) + 4 * r * G, rows, G);
      } else {
        const dzAll = view(b, dZ);
        const biasSum = new Float32Array(sums * G);
        for (let r = 0; r < B * T; r++) {
          const o = perRecordBias ? Math.floor(r / T) * G : 0;
          for (let q = 0; q < G; q++) biasSum[o + q]! += dzAll[r * G + q]!;
        }
        dBias = makeFloatOutput(b, perRecordBias ? [B, G] : [G], (out) => out.set(biasSum));
      }
      for (const t of [wrT, dZ, dzStep, hPrev, dzT]) b.disposeData(t.dataId);
      return [
        { dataId: dX.dataId, shape: [B, T, F], dtype: 'float32' },
        dW,
        dWr,
        dBias,
      ];
    },
  };
}

const registeredFor = new Set<string>();

/** Registers the fused LSTM kernels for a backend (done by `initBackend`). */
export function registerLstmSequenceKernels(backendName: string): void {
  if (registeredFor.has(backendName) || !getKernel('BatchMatMul', backendName)) return;
  registerKernel(forwardConfig(backendName));
  registerKernel(backwardConfig(backendName));
  registeredFor.add(backendName);
}

/**
 * Runs an LSTM over a whole sequence in one fused kernel (differentiable).
 *
 * @param x `[B, T, F]` inputs.
 * @param kernel `[F, 4U]` input weights, gate order i, f, c, o.
 * @param recurrentKernel `[U, 4U]` recurrent weights.
 * @param bias `[4U]`, or `[B, 4U]`: one per record (early fusion's `m·W_m + b`, see the top of this file).
 * @param mask `[B, T]`, 1 for real steps, 0 for padding (carries the previous state). Default: all ones.
 * @returns `[B, T, U]` hidden states; the last step holds the final state.
 */
export function lstmSequence(x: tf.Tensor3D, kernel: tf.Tensor2D, recurrentKernel: tf.Tensor2D, bias: tf.Tensor1D | tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor3D {
  registerLstmSequenceKernels(tf.getBackend());
  const [B, T] = x.shape;
  const G = recurrentKernel.shape[1];
  const perRecordBias = bias.rank === 2;
  if (bias.shape[bias.rank - 1] !== G || (perRecordBias && bias.shape[0] !== B)) {
    throw new Error(`lstmSequence: bias must be [${G}] or [${B}, ${G}] for x [${x.shape.join(', ')}] and a recurrent kernel [${recurrentKernel.shape.join(', ')}], got [${bias.shape.join(', ')}]`);
  }
  const m = mask ?? tf.ones([B, T]);
  return runSequenceOp(LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD, ['cells', 'gates'], { x, kernel, recurrentKernel, bias, mask: m }, { perRecordBias });
}
