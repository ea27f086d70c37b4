import * as tf from '@tensorflow/tfjs-core';
import {
  getKernel,
  registerKernel,
  type KernelConfig,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { makeFloatOutput, type KernelBackendLike } from '../backend/kernels/kernel-backend.js';
import { fastSigmoid, fastTanh as tanh } from './fast-tanh.js';
import { gruGatesFor } from './gru-gates-module.js';
import { heapMatMul, transposedInfo, view, weightGradient } from './heap-products.js';
import { runSequenceOp } from './sequence-op.js';

/*
 * A whole GRU sequence as one kernel (forward) and one kernel (backward through time), the GRU
 * counterpart of `lstm-sequence.ts`.
 *
 * tfjs-layers' GRU issues ~12 small ops per time step; on wasm each costs 25–50 µs of dispatch.
 * Here a step is two matrix products in the backend's own BatchMatMul kernel (h·U_zr, then
 * (r⊙h)·U_h) plus passes over the gates — in the SIMD module `gru-gates.wat` on wasm (units a
 * multiple of 4), JS loops otherwise; the input projection X·W and the weight gradients are one
 * large product each.
 *
 * The maths is tfjs-layers 4.22's GRUCell (Keras' `reset_after = false`; tfjs refuses
 * `resetAfter: true`), gate columns z | r | h, each `units` wide, one bias on the input side:
 *   z  = σ(x W_z + h U_z + b_z)          r = σ(x W_r + h U_r + b_r)
 *   h~ = tanh(x W_h + (r ⊙ h) U_h + b_h)   h' = z ⊙ h + (1 − z) ⊙ h~
 * where σ is tfjs' `hardSigmoid` (clip(0.2 x + 0.5, 0, 1), the layer's default) or the logistic
 * sigmoid. Masked steps (mask 0) carry the previous h unchanged, as tfjs-layers' RNN does.
 */

export const GRU_SEQUENCE = 'MetaseriesGruSequence';
export const GRU_SEQUENCE_GRAD = 'MetaseriesGruSequenceGrad';

/** The gate activation of {@link gruSequence}: tfjs-layers' GRU default `hardSigmoid`, or `sigmoid`. */
export type GruRecurrentActivation = 'hardSigmoid' | 'sigmoid';

type Backend = KernelBackendLike;


/** tfjs-layers' hard sigmoid, `clip(0.2 x + 0.5, 0, 1)`. */
function hardSigmoid(x: number): number {
  const y = 0.2 * x + 0.5;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/** σ'(pre-activation) written in terms of σ's output `s`. */
function gateSlope(hard: boolean, s: number): number {
  if (hard) return s > 0 && s < 1 ? 0.2 : 0;
  return s * (1 - s);
}

function isHard(attrs: NamedAttrMap | undefined): boolean {
  return (attrs?.['recurrentActivation'] ?? 'hardSigmoid') === 'hardSigmoid';
}

/** Columns `[from, from + width)` of a row-major `[rows, cols]` matrix, as a new `[rows, width]` output. */
function columns(
  b: Backend,
  src: Float32Array,
  rows: number,
  cols: number,
  from: number,
  width: number,
): TensorInfo {
  return makeFloatOutput(b, [rows, width], (out) => {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < width; c++) out[r * width + c] = src[r * cols + from + c]!;
  });
}

/** The transpose of columns `[from, from + width)` of `[rows, cols]`, as a new `[width, rows]` output. */
function columnsTransposed(
  b: Backend,
  src: Float32Array,
  rows: number,
  cols: number,
  from: number,
  width: number,
): TensorInfo {
  return makeFloatOutput(b, [width, rows], (out) => {
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < width; c++) out[c * rows + r] = src[r * cols + from + c]!;
  });
}

/** `out [rows, a + c]` = `[left | right]`, from `left [rows, a]` and `right [rows, c]`. */
function joinColumns(out: Float32Array, left: Float32Array, right: Float32Array, rows: number, a: number, c: number): void {
  for (let r = 0; r < rows; r++) {
    out.set(left.subarray(r * a, r * a + a), r * (a + c));
    out.set(right.subarray(r * c, r * c + c), r * (a + c) + a);
  }
}

function forwardConfig(backendName: string): KernelConfig {
  return {
    kernelName: GRU_SEQUENCE,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as Backend;
      const hard = isHard(attrs);
      const { x, kernel, recurrentKernel, bias, mask } = inputs as Record<string, TensorInfo>;
      const [B, T, F] = x!.shape as [number, number, number];
      const U = recurrentKernel!.shape[0]!;
      const G = 3 * U;
      // X·W for every step at once: [B*T, F] x [F, 3U]
      const xw = heapMatMul(backendName, backend, x!, kernel!, B * T, F, G);
      // wasm's readSync copies, cpu's returns its own array (only read here)
      const bv = b.readSync(bias!.dataId) as Float32Array;
      const mv = b.readSync(mask!.dataId) as ArrayLike<number>;
      // copies (wasm's readSync copies; cpu's returns its own array): an allocation may move the heap
      const uv = b.readSync(recurrentKernel!.dataId) as Float32Array;
      const uzr = columns(b, uv, U, G, 0, 2 * U);
      const uh = columns(b, uv, U, G, 2 * U, U);
      const h = makeFloatOutput(b, [1, B, U], () => undefined);
      const rh = makeFloatOutput(b, [1, B, U], () => undefined);
      const seq = makeFloatOutput(b, [B, T, U], () => undefined);
      const gates = makeFloatOutput(b, [B, T, G], () => undefined);
      const act = hard ? hardSigmoid : fastSigmoid;
      const simd = U % 4 === 0 && mask!.dtype === 'float32' ? gruGatesFor(backend) : null;
      for (let t = 0; t < T && simd; t++) {
        // gates in wasm SIMD, in place on the backend's heap
        const { gates: k, ptr } = simd;
        const hr = heapMatMul(backendName, backend, h, uzr, B, U, 2 * U);
        k.forwardGates(
          ptr(xw),
          ptr(hr),
          ptr(bias!),
          ptr(h),
          ptr(rh),
          ptr(gates),
          ptr(mask!),
          B,
          T,
          U,
          t,
          hard ? 1 : 0,
        );
        b.disposeData(hr.dataId);
        const cand = heapMatMul(backendName, backend, rh, uh, B, U, U);
        k.forwardOut(
          ptr(xw),
          ptr(cand),
          ptr(bias!),
          ptr(h),
          ptr(seq),
          ptr(gates),
          ptr(mask!),
          B,
          T,
          U,
          t,
        );
        b.disposeData(cand.dataId);
      }
      for (let t = 0; t < T && !simd; t++) {
        const hr = heapMatMul(backendName, backend, h, uzr, B, U, 2 * U);
        // views are taken after every allocation: a growing wasm heap detaches older ones
        let xwv = view(b, xw);
        let hrv = view(b, hr);
        let hv = view(b, h);
        const rhv = view(b, rh);
        let gv = view(b, gates);
        for (let bi = 0; bi < B; bi++) {
          const row = bi * T + t;
          const ho = bi * U;
          if (!(mv[row]! > 0)) {
            for (let u = 0; u < U; u++) rhv[ho + u] = 0;
            continue;
          }
          const zo = row * G;
          const ro = bi * 2 * U;
          for (let u = 0; u < U; u++) {
            const z = act(xwv[zo + u]! + hrv[ro + u]! + bv[u]!);
            const r = act(xwv[zo + U + u]! + hrv[ro + U + u]! + bv[U + u]!);
            gv[zo + u] = z;
            gv[zo + U + u] = r;
            rhv[ho + u] = r * hv[ho + u]!;
          }
        }
        b.disposeData(hr.dataId);
        const cand = heapMatMul(backendName, backend, rh, uh, B, U, U);
        xwv = view(b, xw);
        hrv = view(b, cand);
        hv = view(b, h);
        gv = view(b, gates);
        const seqv = view(b, seq);
        for (let bi = 0; bi < B; bi++) {
          const row = bi * T + t;
          const ho = bi * U;
          const so = row * U;
          if (!(mv[row]! > 0)) {
            for (let u = 0; u < U; u++) seqv[so + u] = hv[ho + u]!;
            continue;
          }
          const zo = row * G;
          for (let u = 0; u < U; u++) {
            const hh = tanh(xwv[zo + 2 * U + u]! + hrv[ho + u]! + bv[2 * U + u]!);
            const z = gv[zo + u]!;
            const hn = z * hv[ho + u]! + (1 - z) * hh;
            gv[zo + 2 * U + u] = hh;
            hv[ho + u] = hn;
            seqv[so + u] = hn;
          }
        }
        b.disposeData(cand.dataId);
      }
      for (const t of [xw, uzr, uh, h, rh]) b.disposeData(t.dataId);
      return [seq, gates];
    },
  };
}

function backwardConfig(backendName: string): KernelConfig {
  return {
    kernelName: GRU_SEQUENCE_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as unknown as Backend;
      const hard = isHard(attrs);
      const { dy, x, kernel, recurrentKernel, mask, seq, gates } = inputs as Record<
        string,
        TensorInfo
      >;
      const [B, T, F] = x!.shape as [number, number, number];
      const U = recurrentKernel!.shape[0]!;
      const G = 3 * U;
      const BT = B * T;
      // U_h^T [U, U], U_zr^T [2U, U] and W^T [3U, F], laid out once so no product needs a transpose flag
      const uv = b.readSync(recurrentKernel!.dataId) as Float32Array;
      const uhT = columnsTransposed(b, uv, U, G, 2 * U, U);
      const uzrT = columnsTransposed(b, uv, U, G, 0, 2 * U);
      const wT = columnsTransposed(b, b.readSync(kernel!.dataId) as Float32Array, F, G, 0, G);
      // pre-activation gradients of every step: all gates, and the z|r and h parts on their own
      const dA = makeFloatOutput(b, [BT, G], () => undefined);
      const dAzr = makeFloatOutput(b, [BT, 2 * U], () => undefined);
      const dAh = makeFloatOutput(b, [BT, U], () => undefined);
      const dAhStep = makeFloatOutput(b, [1, B, U], () => undefined);
      const dAzrStep = makeFloatOutput(b, [1, B, 2 * U], () => undefined);
      // H_{t-1} and r ⊙ H_{t-1} [B*T, U] for the recurrent weights' gradient
      const hPrev = makeFloatOutput(b, [BT, U], () => undefined);
      const rhPrev = makeFloatOutput(b, [BT, U], () => undefined);
      const simd =
        U % 4 === 0 && mask!.dtype === 'float32' && dy!.dtype === 'float32'
          ? gruGatesFor(backend)
          : null;
      const dBias = simd ? simdBackward() : jsBackward();

      function simdBackward(): TensorInfo {
        const { gates: k, ptr } = simd!;
        const dh = makeFloatOutput(b, [B, U], () => undefined);
        const carry = makeFloatOutput(b, [B, U], () => undefined);
        const biasAcc = makeFloatOutput(b, [G], () => undefined);
        for (let t = T - 1; t >= 0; t--) {
          k.backwardA(
            ptr(dy!),
            ptr(mask!),
            ptr(gates!),
            ptr(dh),
            ptr(dAhStep),
            ptr(dA),
            ptr(dAh),
            ptr(biasAcc),
            B,
            T,
            U,
            t,
          );
          // d(r ⊙ h_{t-1}) = dA_h · U_h^T
          const drh = heapMatMul(backendName, backend, dAhStep, uhT, B, U, U);
          k.backwardB(
            ptr(mask!),
            ptr(gates!),
            ptr(seq!),
            ptr(dh),
            ptr(drh),
            ptr(carry),
            ptr(dAzrStep),
            ptr(dA),
            ptr(dAzr),
            ptr(hPrev),
            ptr(rhPrev),
            ptr(biasAcc),
            B,
            T,
            U,
            t,
            hard ? 1 : 0,
          );
          b.disposeData(drh.dataId);
          // dh_{t-1} = the direct part + [dA_z | dA_r] · U_zr^T (masked rows carry dh unchanged)
          const back = heapMatMul(backendName, backend, dAzrStep, uzrT, B, 2 * U, U);
          k.carryStep(ptr(back), ptr(carry), ptr(dh), ptr(mask!), B, T, U, t);
          b.disposeData(back.dataId);
        }
        for (const t of [dh, carry]) b.disposeData(t.dataId);
        return biasAcc;
      }

      function jsBackward(): TensorInfo {
        // wasm's readSync copies, cpu's returns its own array (only read here)
        const dyv = b.readSync(dy!.dataId) as Float32Array;
        const mv = b.readSync(mask!.dataId) as ArrayLike<number>;
        const biasSum = new Float64Array(G);
        const dh = new Float32Array(B * U);
        const carry = new Float32Array(B * U); // dh·z + d(r⊙h)·r, the direct part of dh_{t-1}
        for (let t = T - 1; t >= 0; t--) {
          let gv = view(b, gates);
          const dahv = view(b, dAhStep);
          let dAv = view(b, dA);
          const dAhv = view(b, dAh);
          for (let bi = 0; bi < B; bi++) {
            const row = bi * T + t;
            const ho = bi * U;
            for (let u = 0; u < U; u++) dh[ho + u]! += dyv[row * U + u]!;
            if (!(mv[row]! > 0)) {
              for (let u = 0; u < U; u++) dahv[ho + u] = 0;
              continue;
            }
            const zo = row * G;
            for (let u = 0; u < U; u++) {
              const z = gv[zo + u]!;
              const hh = gv[zo + 2 * U + u]!;
              const da = dh[ho + u]! * (1 - z) * (1 - hh * hh);
              biasSum[2 * U + u]! += da;
              dahv[ho + u] = da;
              dAv[zo + 2 * U + u] = da;
              dAhv[row * U + u] = da;
            }
          }
          // d(r ⊙ h_{t-1}) = dA_h · U_h^T
          const drh = heapMatMul(backendName, backend, dAhStep, uhT, B, U, U);
          const drhv = view(b, drh);
          const seqv = view(b, seq);
          gv = view(b, gates);
          dAv = view(b, dA);
          const dazrv = view(b, dAzrStep);
          const dAzrv = view(b, dAzr);
          const hpv = view(b, hPrev);
          const rhpv = view(b, rhPrev);
          for (let bi = 0; bi < B; bi++) {
            const row = bi * T + t;
            const ho = bi * U;
            const so = bi * 2 * U;
            if (!(mv[row]! > 0)) {
              for (let q = 0; q < 2 * U; q++) dazrv[so + q] = 0;
              continue;
            }
            const zo = row * G;
            const po = (row - 1) * U;
            for (let u = 0; u < U; u++) {
              const z = gv[zo + u]!;
              const r = gv[zo + U + u]!;
              const hh = gv[zo + 2 * U + u]!;
              const hp = t > 0 ? seqv[po + u]! : 0;
              const dhu = dh[ho + u]!;
              const d = drhv[ho + u]!;
              const daz = dhu * (hp - hh) * gateSlope(hard, z);
              const dar = d * hp * gateSlope(hard, r);
              carry[ho + u] = dhu * z + d * r;
              biasSum[u]! += daz;
              biasSum[U + u]! += dar;
              hpv[row * U + u] = hp;
              rhpv[row * U + u] = r * hp;
              dazrv[so + u] = daz;
              dazrv[so + U + u] = dar;
              dAv[zo + u] = daz;
              dAv[zo + U + u] = dar;
              dAzrv[row * 2 * U + u] = daz;
              dAzrv[row * 2 * U + U + u] = dar;
            }
          }
          b.disposeData(drh.dataId);
          // dh_{t-1} = the direct part + [dA_z | dA_r] · U_zr^T (masked rows carry dh unchanged)
          const back = heapMatMul(backendName, backend, dAzrStep, uzrT, B, 2 * U, U);
          const backv = view(b, back);
          for (let bi = 0; bi < B; bi++) {
            if (!(mv[bi * T + t]! > 0)) continue;
            const ho = bi * U;
            for (let u = 0; u < U; u++) dh[ho + u] = carry[ho + u]! + backv[ho + u]!;
          }
          b.disposeData(back.dataId);
        }
        return makeFloatOutput(b, [G], (out) => out.set(biasSum));
      }

      // The weight gradients as (dAᵀ · In)ᵀ, the fast operand order on tfjs-wasm (heap-products.ts):
      // dU_zr = H_{t-1}ᵀ dA_zr, dU_h = (r ⊙ H_{t-1})ᵀ dA_h, and dW = Xᵀ [dA_zr | dA_h].
      const dAzrT = transposedInfo(backend, dAzr, BT, 2 * U);
      const dAhT = transposedInfo(backend, dAh, BT, U);
      const dUzr = weightGradient(backendName, backend, dAzrT, hPrev, 2 * U, BT, U);
      const dUh = weightGradient(backendName, backend, dAhT, rhPrev, U, BT, U);
      const dWzr = weightGradient(backendName, backend, dAzrT, x!, 2 * U, BT, F, dAzr);
      const dWh = weightGradient(backendName, backend, dAhT, x!, U, BT, F, dAh);
      const dX = heapMatMul(backendName, backend, dA, wT, BT, G, F);
      const dU = makeFloatOutput(b, [U, G], (out) => joinColumns(out, view(b, dUzr), view(b, dUh), U, 2 * U, U));
      const dW = makeFloatOutput(b, [F, G], (out) => joinColumns(out, view(b, dWzr), view(b, dWh), F, 2 * U, U));
      for (const t of [
        uhT,
        uzrT,
        wT,
        dA,
        dAzr,
        dAh,
        dAhStep,
        dAzrStep,
        hPrev,
        rhPrev,
        dAzrT,
        dAhT,
        dUzr,
        dUh,
        dWzr,
        dWh,
      ])
        b.disposeData(t.dataId);
      return [
        { dataId: dX.dataId, shape: [B, T, F], dtype: 'float32' },
        dW,
        dU,
        dBias,
      ];
    },
  };
}

const registeredFor = new Set<string>();

/** Registers the fused GRU kernels for a backend (done by `initBackend`). */
export function registerGruSequenceKernels(backendName: string): void {
  if (registeredFor.has(backendName) || !getKernel('BatchMatMul', backendName)) return;
  registerKernel(forwardConfig(backendName));
  registerKernel(backwardConfig(backendName));
  registeredFor.add(backendName);
}

/**
 * Runs a GRU over a whole sequence in one fused kernel (differentiable), with tfjs-layers' GRU
 * maths (reset gate applied before the recurrent product).
 *
 * @param x `[B, T, F]` inputs.
 * @param kernel `[F, 3U]` input weights, gate order z, r, h (tfjs-layers' `kernel`).
 * @param recurrentKernel `[U, 3U]` recurrent weights (tfjs-layers' `recurrent_kernel`).
 * @param bias `[3U]` (added on the input side, as tfjs-layers does).
 * @param mask `[B, T]`, 1 for real steps, 0 for padding (carries the previous state). Default: all ones.
 * @param recurrentActivation the z and r gates' activation. Default: `'hardSigmoid'` (tfjs-layers' GRU default).
 * @returns `[B, T, U]` hidden states; the last step holds the final state.
 */
export function gruSequence(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  recurrentKernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  mask?: tf.Tensor2D,
  recurrentActivation: GruRecurrentActivation = 'hardSigmoid',
): tf.Tensor3D {
  registerGruSequenceKernels(tf.getBackend());
  const m = mask ?? tf.ones([x.shape[0], x.shape[1]]);
  return runSequenceOp(GRU_SEQUENCE, GRU_SEQUENCE_GRAD, ['gates'], { x, kernel, recurrentKernel, bias, mask: m }, { recurrentActivation });
}
