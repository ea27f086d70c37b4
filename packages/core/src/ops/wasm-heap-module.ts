import type { TensorInfo } from '@tensorflow/tfjs-core';
import { withSharedMemoryImport } from '../backend/wasm-threads.js';

/** A WebAssembly module instantiated on one tfjs-wasm backend's heap, and a tensor's address in it. */
export interface HeapModule<Exports> {
  exports: Exports;
  /** Byte offset of a tensor's data in the heap. */
  ptr: (t: TensorInfo) => number;
}

interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap?: { get(dataId: object): { memoryOffset: number } | undefined };
}

/**
 * Compiles a module (base64, importing `env.memory`) once and instantiates it per tfjs-wasm
 * backend with that backend's own memory, so its functions work on tensors in place. `null` for
 * any other backend, or where the module does not compile (no wasm SIMD): callers keep a JS path.
 */
export function heapModuleLoader<Exports>(base64: string): (backend: unknown) => HeapModule<Exports> | null {
  // by whether the heap is shared (tfjs-wasm's threaded build): such a memory is only imported by
  // a module that declares it shared
  const compiled = new Map<boolean, WebAssembly.Module | null>();
  const bound = new WeakMap<object, HeapModule<Exports> | null>();
  const compile = (shared: boolean): WebAssembly.Module | null => {
    if (compiled.has(shared)) return compiled.get(shared)!;
    let mod: WebAssembly.Module | null;
    try {
      const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      mod = new WebAssembly.Module(shared ? withSharedMemoryImport(bytes) : bytes);
    } catch {
      mod = null;
    }
    compiled.set(shared, mod);
    return mod;
  };
  return (backend) => {
    if (typeof backend !== 'object' || backend === null) return null;
    if (bound.has(backend)) return bound.get(backend)!;
    const internals = backend as WasmBackendInternals;
    const memory = internals.wasm?.asm?.memory ?? internals.wasm?.wasmMemory;
    const map = internals.dataIdMap;
    const mod = memory instanceof WebAssembly.Memory && map ? compile(memory.buffer instanceof SharedArrayBuffer) : null;
    let result: HeapModule<Exports> | null = null;
    if (mod && map) {
      const instance = new WebAssembly.Instance(mod, { env: { memory: memory as WebAssembly.Memory } });
      result = {
        exports: instance.exports as unknown as Exports,
        ptr: (t) => {
          const entry = map.get(t.dataId);
          if (!entry) throw new Error('a tensor is not in the wasm heap');
          return entry.memoryOffset;
        },
      };
    }
    bound.set(backend, result);
    return result;
  };
}
