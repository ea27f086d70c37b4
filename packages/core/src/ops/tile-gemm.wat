;; C = A · B for row-major float32 matrices on tfjs-wasm's own heap (the module imports the
;; backend's memory; every pointer is a byte offset in it): A [m, k], B [k, n], C [m, n], n a
;; multiple of 4. A 4-row × 8-column register tile (8 accumulators) walks k with one
;; multiply-add per 4 products, B read in place (no packing). Used for the recurrent kernels'
;; per-step products, where tfjs-wasm's BatchMatMul builds an XNNPACK operator and packs the same
;; weights on each of 100 calls. Each output is summed over q in order with one multiply and one
;; add per step, as XNNPACK's f32 GEMM does (the same bits, checked in heap-products.test.ts).
;; `$madd` is inlined by scripts/build-wat.mjs (inline-wat.mjs), which builds this module.
(module
  (import "env" "memory" (memory 1))

  (func $madd (param $x v128) (param $y v128) (param $z v128) (result v128)
    (f32x4.add (f32x4.mul (local.get $x) (local.get $y)) (local.get $z)))

  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32)
    (local $ka i32) (local $nb i32) (local $i i32) (local $j i32) (local $q i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ka (i32.shl (local.get $k) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    ;; 4 rows at a time
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $j (i32.const 0))
        ;; 8 columns at a time
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
            (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ka))))
            (local.set $pa1 (i32.add (local.get $pa0) (local.get $ka)))
            (local.set $pa2 (i32.add (local.get $pa1) (local.get $ka)))
            (local.set $pa3 (i32.add (local.get $pa2) (local.get $ka)))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
            (local.set $q (local.get $k))
            (block $k_done
              (loop $kl
                (br_if $k_done (i32.eqz (local.get $q)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (v128.load32_splat (local.get $pa0)))
                (local.set $c00 (call $madd (local.get $x) (local.get $b0) (local.get $c00)))
                (local.set $c01 (call $madd (local.get $x) (local.get $b1) (local.get $c01)))
                (local.set $x (v128.load32_splat (local.get $pa1)))
                (local.set $c10 (call $madd (local.get $x) (local.get $b0) (local.get $c10)))
                (local.set $c11 (call $madd (local.get $x) (local.get $b1) (local.get $c11)))
                (local.set $x (v128.load32_splat (local.get $pa2)))
                (local.set $c20 (call $madd (local.get $x) (local.get $b0) (local.get $c20)))
                (local.set $c21 (call $madd (local.get $x) (local.get $b1) (local.get $c21)))
                (local.set $x (v128.load32_splat (local.get $pa3)))
                (local.set $c30 (call $madd (local.get $x) (local.get $b0) (local.get $c30)))
                (local.set $c31 (call $madd (local.get $x) (local.get $b1) (local.get $c31)))
                (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
                (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
                (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
                (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                (br $kl)))
            (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c10))
            (v128.store offset=16 (local.get $pc) (local.get $c11))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c20))
            (v128.store offset=16 (local.get $pc) (local.get $c21))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c30))
            (v128.store offset=16 (local.get $pc) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols)))
        ;; a last 4 columns (n = 8p + 4): one accumulator a row
        (if (i32.lt_u (local.get $j) (local.get $n))
          (then
            (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ka))))
            (local.set $pa1 (i32.add (local.get $pa0) (local.get $ka)))
            (local.set $pa2 (i32.add (local.get $pa1) (local.get $ka)))
            (local.set $pa3 (i32.add (local.get $pa2) (local.get $ka)))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $q (local.get $k))
            (block $k4_done
              (loop $k4
                (br_if $k4_done (i32.eqz (local.get $q)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $c00 (call $madd (v128.load32_splat (local.get $pa0)) (local.get $b0) (local.get $c00)))
                (local.set $c10 (call $madd (v128.load32_splat (local.get $pa1)) (local.get $b0) (local.get $c10)))
                (local.set $c20 (call $madd (v128.load32_splat (local.get $pa2)) (local.get $b0) (local.get $c20)))
                (local.set $c30 (call $madd (v128.load32_splat (local.get $pa3)) (local.get $b0) (local.get $c30)))
                (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
                (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
                (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
                (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                (br $k4)))
            (local.set $pc (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $pc) (local.get $c00))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c10))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c20))
            (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
            (v128.store (local.get $pc) (local.get $c30))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    ;; the last m mod 4 rows, one at a time, 4 columns at a time
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $tc_done
          (loop $tc
            (br_if $tc_done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ka))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $q (local.get $k))
            (block $kt_done
              (loop $kt
                (br_if $kt_done (i32.eqz (local.get $q)))
                (local.set $c00 (call $madd (v128.load32_splat (local.get $pa0)) (v128.load (local.get $pb)) (local.get $c00)))
                (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
                (local.set $q (i32.sub (local.get $q) (i32.const 1)))
                (br $kt)))
            (v128.store (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $nb))) (i32.shl (local.get $j) (i32.const 2))) (local.get $c00))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tc)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
  )
)
