;; Products of small matrices in WebAssembly SIMD (f32x4), on tfjs-wasm's own heap: the module
;; imports the backend's memory and every pointer is a byte offset in it. Used for batches of small
;; matrices (attention's per-record products), which tfjs-wasm runs as one XNNPACK call per
;; matrix, and for column sums (the product of a row of ones with a matrix), which tfjs-wasm
;; computes by transposing the whole tensor first. Built into small-mat-mul-wasm.ts by
;; scripts/build-wat.mjs.
(module
  (import "env" "memory" (memory 1))

  ;; out[i, j] += sum_q A(i, q) * B[q, j] for i < m, j < n. A(i, q) is the float at
  ;; a + 4 (i ai + q aj) (strides in floats, so a transposed A works); B is row-major [k, n];
  ;; out is row-major [m, n] and must hold zeros (or what to add to).
  (func (export "gemmNN")
    (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32) (param $ai i32) (param $aj i32)
    (local $i i32) (local $q i32) (local $j i32) (local $n4 i32) (local $orow i32) (local $brow i32) (local $xs f32) (local $x v128) (local $p i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
        (local.set $q (i32.const 0))
        (block $q_done
          (loop $q_loop
            (br_if $q_done (i32.ge_u (local.get $q) (local.get $k)))
            (local.set $xs (f32.load (i32.add (local.get $a)
              (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ai)) (i32.mul (local.get $q) (local.get $aj))) (i32.const 2)))))
            (local.set $x (f32x4.splat (local.get $xs)))
            (local.set $brow (i32.add (local.get $b) (i32.shl (i32.mul (local.get $q) (local.get $n)) (i32.const 2))))
            (local.set $j (i32.const 0))
            (block $v_done
              (loop $v_loop
                (br_if $v_done (i32.ge_u (local.get $j) (local.get $n4)))
                (local.set $p (i32.shl (local.get $j) (i32.const 2)))
                (v128.store (i32.add (local.get $orow) (local.get $p))
                  (f32x4.add (v128.load (i32.add (local.get $orow) (local.get $p)))
                             (f32x4.mul (local.get $x) (v128.load (i32.add (local.get $brow) (local.get $p))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $v_loop)))
            (block $s_done
              (loop $s_loop
                (br_if $s_done (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $p (i32.shl (local.get $j) (i32.const 2)))
                (f32.store (i32.add (local.get $orow) (local.get $p))
                  (f32.add (f32.load (i32.add (local.get $orow) (local.get $p)))
                           (f32.mul (local.get $xs) (f32.load (i32.add (local.get $brow) (local.get $p))))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $s_loop)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $q_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $i_loop))))

  ;; out[i, j] = sum_q a[i, q] * b[j, q] for i < m, j < n: A row-major [m, k], B row-major [n, k]
  ;; (a transposed B), out row-major [m, n].
  (func (export "gemmNT")
    (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $q i32) (local $k4 i32) (local $arow i32) (local $brow i32) (local $p i32)
    (local $acc v128) (local $s f32)
    (local.set $k4 (i32.and (local.get $k) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $arow (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $j_done
          (loop $j_loop
            (br_if $j_done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $brow (i32.add (local.get $b) (i32.shl (i32.mul (local.get $j) (local.get $k)) (i32.const 2))))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $q (i32.const 0))
            (block $v_done
              (loop $v_loop
                (br_if $v_done (i32.ge_u (local.get $q) (local.get $k4)))
                (local.set $p (i32.shl (local.get $q) (i32.const 2)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (v128.load (i32.add (local.get $arow) (local.get $p))) (v128.load (i32.add (local.get $brow) (local.get $p))))))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br $v_loop)))
            (local.set $s (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                                   (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
            (block $s_done
              (loop $s_loop
                (br_if $s_done (i32.ge_u (local.get $q) (local.get $k)))
                (local.set $p (i32.shl (local.get $q) (i32.const 2)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $arow) (local.get $p))) (f32.load (i32.add (local.get $brow) (local.get $p))))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $s_loop)))
            (f32.store (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))
                       (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $i_loop))))
;; out[j] = sum_r x[r, j] for j < cols: x row-major [rows, cols]; out is overwritten.
  (func (export "columnSums") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $c4 i32) (local $row i32) (local $p i32)
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $r_done
      (loop $r_loop
        (br_if $r_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $v_done
          (loop $v_loop
            (br_if $v_done (i32.ge_u (local.get $j) (local.get $c4)))
            (local.set $p (i32.shl (local.get $j) (i32.const 2)))
            (v128.store (i32.add (local.get $out) (local.get $p))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $p))) (v128.load (i32.add (local.get $row) (local.get $p)))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $v_loop)))
        (block $s_done
          (loop $s_loop
            (br_if $s_done (i32.ge_u (local.get $j) (local.get $cols)))
            (local.set $p (i32.shl (local.get $j) (i32.const 2)))
            (f32.store (i32.add (local.get $out) (local.get $p))
              (f32.add (f32.load (i32.add (local.get $out) (local.get $p))) (f32.load (i32.add (local.get $row) (local.get $p)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $s_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop))))
)
