;; Products of small matrices in WebAssembly SIMD (f32x4), on tfjs-wasm's own heap: the module
;; imports the backend's memory and every pointer is a byte offset in it. Used for batches of small
;; matrices (attention's per-record products), which tfjs-wasm runs as one XNNPACK call per
;; matrix, and for column sums (the product of a row of ones with a matrix), which tfjs-wasm
;; computes by transposing the whole tensor first, and for the transposes of the recurrent
;; kernels' weight gradients (heap-products.ts). Built into small-mat-mul-wasm.ts by
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

  ;; dst [cols, rows] = src [rows, cols] transposed: 4x4 blocks in SIMD (four row loads, eight
  ;; shuffles, four column stores), the edges one float at a time. A recurrent kernel's weight
  ;; gradients multiply the transposed [B*T, 4U] step gradients (see lstm-sequence.ts): tfjs-wasm's
  ;; own Transpose took ~22 ms on that 6400x256 tensor.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $r4 i32) (local $c4 i32) (local $rowBytes i32) (local $colBytes i32)
    (local $p i32) (local $q i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rb_done
      (loop $rb_loop
        (br_if $rb_done (i32.ge_u (local.get $r) (local.get $r4)))
        (local.set $c (i32.const 0))
        (block $cb_done
          (loop $cb_loop
            (br_if $cb_done (i32.ge_u (local.get $c) (local.get $c4)))
            (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
            (local.set $a0 (v128.load (local.get $p)))
            (local.set $a1 (v128.load (i32.add (local.get $p) (local.get $rowBytes))))
            (local.set $a2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $rowBytes) (i32.const 1)))))
            (local.set $a3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            ;; t0 = [a0.0 a1.0 a0.1 a1.1], t1 = [a0.2 a1.2 a0.3 a1.3], t2 / t3 the same of a2, a3
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
            (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
            ;; column j of the block = [a0.j a1.j a2.j a3.j]
            (v128.store (local.get $q)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $q) (local.get $colBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $q) (i32.shl (local.get $colBytes) (i32.const 1)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $q) (i32.mul (local.get $colBytes) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cb_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rb_loop)))
    ;; edges: the columns past c4 of the first r4 rows, then every column of the rows past r4
    (local.set $r (i32.const 0))
    (block $er_done
      (loop $er_loop
        (br_if $er_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (select (local.get $c4) (i32.const 0) (i32.lt_u (local.get $r) (local.get $r4))))
        (block $ec_done
          (loop $ec_loop
            (br_if $ec_done (i32.ge_u (local.get $c) (local.get $cols)))
            (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
              (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $ec_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $er_loop)))
  )
)
