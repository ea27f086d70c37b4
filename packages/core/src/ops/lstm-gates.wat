;; The fused LSTM kernel's per-step gate arithmetic in WebAssembly SIMD (f32x4), working in place
;; on tfjs-wasm's own heap: the module imports the backend's memory, and every pointer below is a
;; tensor's byte offset in it. Built into lstm-gates-wasm.ts by scripts/build-lstm-gates-wasm.mjs.
;; Layouts (float32): xw, gates [B*T, 4U] (row b*T+t), hr, ds [B, 4U], h, c, dh, dc, back [B, U],
;; seq, cells, dy [B*T, U], mask [B*T]. Gate order i, f, c, o. U must be a multiple of 4.
(module
  (import "env" "memory" (memory 1))

  ;; tanh: Eigen's rational approximation (odd degree 13 / even degree 6), clamped to +-7.9053
  (func $tanh (param $x v128) (result v128)
    (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $x (f32x4.max (f32x4.min (local.get $x) (v128.const f32x4 7.90531110763549805 7.90531110763549805 7.90531110763549805 7.90531110763549805))
                             (v128.const f32x4 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805 -7.90531110763549805)))
    (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (v128.const f32x4 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16 -2.76076847742355e-16))
                             (v128.const f32x4 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13 2.00018790482477e-13)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (v128.const f32x4 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11 -8.60467152213735e-11)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (v128.const f32x4 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08 5.12229709037114e-08)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (v128.const f32x4 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05 1.48572235717979e-05)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (v128.const f32x4 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04 6.37261928875436e-04)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (v128.const f32x4 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03 4.89352455891786e-03)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (v128.const f32x4 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06 1.19825839466702e-06))
                             (v128.const f32x4 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04 1.18534705686654e-04)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (local.get $q)) (v128.const f32x4 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03 2.26843463243900e-03)))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (local.get $q)) (v128.const f32x4 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03 4.89352518554385e-03)))
    (f32x4.div (f32x4.mul (local.get $x) (local.get $p)) (local.get $q)))

  ;; sigmoid(x) = 0.5 + 0.5 tanh(x / 2)
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5)
               (f32x4.mul (v128.const f32x4 0.5 0.5 0.5 0.5)
                          (call $tanh (f32x4.mul (local.get $x) (v128.const f32x4 0.5 0.5 0.5 0.5))))))

  ;; One forward step t for every row b: gates from xw + hr + bias, new c and h; masked rows
  ;; carry h and c (seq and cells get the carried values). Row b reads its bias at
  ;; bias + b·biasStride bytes: 0 for one bias [4U], 16U for one per record [B, 4U].
  (func (export "forwardStep")
    (param $xw i32) (param $hr i32) (param $bias i32) (param $c i32) (param $h i32)
    (param $seq i32) (param $cells i32) (param $gates i32) (param $mask i32)
    (param $B i32) (param $T i32) (param $U i32) (param $t i32) (param $biasStride i32)
    (local $bb i32) (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $zx i32) (local $zh i32) (local $gt i32) (local $hb i32) (local $cb i32) (local $so i32) (local $co i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $cn v128) (local $hn v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))       ;; U floats in bytes
    (local.set $gb (i32.shl (local.get $U) (i32.const 4)))       ;; 4U floats in bytes
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $hb (i32.add (local.get $h) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $cb (i32.add (local.get $c) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $so (i32.add (local.get $seq) (i32.mul (local.get $row) (local.get $ub))))
        (local.set $co (i32.add (local.get $cells) (i32.mul (local.get $row) (local.get $ub))))
        (local.set $off (i32.const 0))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $zx (i32.add (local.get $xw) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $zh (i32.add (local.get $hr) (i32.mul (local.get $b) (local.get $gb))))
            (local.set $gt (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $bb (i32.add (local.get $bias) (i32.mul (local.get $b) (local.get $biasStride))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (local.set $i (call $sigmoid (f32x4.add (f32x4.add (v128.load (i32.add (local.get $zx) (local.get $off))) (v128.load (i32.add (local.get $zh) (local.get $off))))
                                                        (v128.load (i32.add (local.get $bb) (local.get $off))))))
                (local.set $f (call $sigmoid (f32x4.add (f32x4.add (v128.load (i32.add (i32.add (local.get $zx) (local.get $ub)) (local.get $off))) (v128.load (i32.add (i32.add (local.get $zh) (local.get $ub)) (local.get $off))))
                                                        (v128.load (i32.add (i32.add (local.get $bb) (local.get $ub)) (local.get $off))))))
                (local.set $g (call $tanh (f32x4.add (f32x4.add (v128.load (i32.add (i32.add (local.get $zx) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))) (v128.load (i32.add (i32.add (local.get $zh) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))
                                                     (v128.load (i32.add (i32.add (local.get $bb) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))))
                (local.set $o (call $sigmoid (f32x4.add (f32x4.add (v128.load (i32.add (i32.add (local.get $zx) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off))) (v128.load (i32.add (i32.add (local.get $zh) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off))))
                                                        (v128.load (i32.add (i32.add (local.get $bb) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off))))))
                (local.set $cn (f32x4.add (f32x4.mul (local.get $f) (v128.load (i32.add (local.get $cb) (local.get $off)))) (f32x4.mul (local.get $i) (local.get $g))))
                (local.set $hn (f32x4.mul (local.get $o) (call $tanh (local.get $cn))))
                (v128.store (i32.add (local.get $cb) (local.get $off)) (local.get $cn))
                (v128.store (i32.add (local.get $hb) (local.get $off)) (local.get $hn))
                (v128.store (i32.add (local.get $so) (local.get $off)) (local.get $hn))
                (v128.store (i32.add (local.get $co) (local.get $off)) (local.get $cn))
                (v128.store (i32.add (local.get $gt) (local.get $off)) (local.get $i))
                (v128.store (i32.add (i32.add (local.get $gt) (local.get $ub)) (local.get $off)) (local.get $f))
                (v128.store (i32.add (i32.add (local.get $gt) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off)) (local.get $g))
                (v128.store (i32.add (i32.add (local.get $gt) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off)) (local.get $o))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $carry_done
              (loop $carry
                (br_if $carry_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (local.get $so) (local.get $off)) (v128.load (i32.add (local.get $hb) (local.get $off))))
                (v128.store (i32.add (local.get $co) (local.get $off)) (v128.load (i32.add (local.get $cb) (local.get $off))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $carry)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; One backward step t: dh += dy; for real rows the gate gradients (into ds, the step's [B, 4U],
  ;; and dz, all steps' [B*T, 4U]) and dc; masked rows get ds = 0 and keep dh and dc.
  (func (export "backwardStep")
    (param $dy i32) (param $mask i32) (param $cells i32) (param $gates i32) (param $dh i32) (param $dc i32)
    (param $ds i32) (param $dz i32) (param $B i32) (param $T i32) (param $U i32) (param $t i32)
    (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $dhb i32) (local $dyr i32) (local $gt i32) (local $cr i32) (local $dcb i32) (local $dsb i32) (local $dzr i32)
    (local $i v128) (local $f v128) (local $g v128) (local $o v128) (local $cp v128) (local $tc v128) (local $dhu v128) (local $dcu v128)
    (local $one v128)
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $gb (i32.shl (local.get $U) (i32.const 4)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $dhb (i32.add (local.get $dh) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $dyr (i32.add (local.get $dy) (i32.mul (local.get $row) (local.get $ub))))
        (local.set $dsb (i32.add (local.get $ds) (i32.mul (local.get $b) (local.get $gb))))
        (local.set $off (i32.const 0))
        (block $add_done
          (loop $add
            (br_if $add_done (i32.ge_u (local.get $off) (local.get $ub)))
            (v128.store (i32.add (local.get $dhb) (local.get $off))
              (f32x4.add (v128.load (i32.add (local.get $dhb) (local.get $off))) (v128.load (i32.add (local.get $dyr) (local.get $off)))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $add)))
        (local.set $off (i32.const 0))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $gt (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $dzr (i32.add (local.get $dz) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $cr (i32.add (local.get $cells) (i32.mul (local.get $row) (local.get $ub))))
            (local.set $dcb (i32.add (local.get $dc) (i32.mul (local.get $b) (local.get $ub))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (local.set $i (v128.load (i32.add (local.get $gt) (local.get $off))))
                (local.set $f (v128.load (i32.add (i32.add (local.get $gt) (local.get $ub)) (local.get $off))))
                (local.set $g (v128.load (i32.add (i32.add (local.get $gt) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))
                (local.set $o (v128.load (i32.add (i32.add (local.get $gt) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off))))
                (local.set $cp (if (result v128) (i32.gt_u (local.get $t) (i32.const 0))
                  (then (v128.load (i32.sub (i32.add (local.get $cr) (local.get $off)) (local.get $ub))))
                  (else (v128.const f32x4 0 0 0 0))))
                (local.set $tc (call $tanh (v128.load (i32.add (local.get $cr) (local.get $off)))))
                (local.set $dhu (v128.load (i32.add (local.get $dhb) (local.get $off))))
                (local.set $dcu (f32x4.add (v128.load (i32.add (local.get $dcb) (local.get $off)))
                  (f32x4.mul (f32x4.mul (local.get $dhu) (local.get $o)) (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc))))))
                (v128.store (i32.add (local.get $dcb) (local.get $off)) (f32x4.mul (local.get $dcu) (local.get $f)))
                ;; dz_i = dc g i (1 - i)
                (local.set $i (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcu) (local.get $g)) (local.get $i)) (f32x4.sub (local.get $one) (local.get $i))))
                ;; dz_f = dc c_prev f (1 - f)
                (local.set $cp (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcu) (local.get $cp)) (local.get $f)) (f32x4.sub (local.get $one) (local.get $f))))
                ;; dz_g = dc i (1 - g^2)   (i reloaded: $i now holds dz_i)
                (local.set $g (f32x4.mul (f32x4.mul (local.get $dcu) (v128.load (i32.add (local.get $gt) (local.get $off))))
                                         (f32x4.sub (local.get $one) (f32x4.mul (local.get $g) (local.get $g)))))
                ;; dz_o = dh tanh(c) o (1 - o)
                (local.set $o (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dhu) (local.get $tc)) (local.get $o)) (f32x4.sub (local.get $one) (local.get $o))))
                (v128.store (i32.add (local.get $dsb) (local.get $off)) (local.get $i))
                (v128.store (i32.add (i32.add (local.get $dsb) (local.get $ub)) (local.get $off)) (local.get $cp))
                (v128.store (i32.add (i32.add (local.get $dsb) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off)) (local.get $g))
                (v128.store (i32.add (i32.add (local.get $dsb) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off)) (local.get $o))
                (v128.store (i32.add (local.get $dzr) (local.get $off)) (local.get $i))
                (v128.store (i32.add (i32.add (local.get $dzr) (local.get $ub)) (local.get $off)) (local.get $cp))
                (v128.store (i32.add (i32.add (local.get $dzr) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off)) (local.get $g))
                (v128.store (i32.add (i32.add (local.get $dzr) (i32.mul (local.get $ub) (i32.const 3))) (local.get $off)) (local.get $o))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $zero_done
              (loop $zero
                (br_if $zero_done (i32.ge_u (local.get $off) (local.get $gb)))
                (v128.store (i32.add (local.get $dsb) (local.get $off)) (v128.const f32x4 0 0 0 0))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $zero)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; After dh_prev = ds . Wr^T (in back): real rows take it, masked rows keep their dh.
  (func (export "carryStep")
    (param $back i32) (param $dh i32) (param $mask i32) (param $B i32) (param $T i32) (param $U i32) (param $t i32)
    (local $b i32) (local $off i32) (local $ub i32) (local $row i32) (local $src i32) (local $dst i32)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $src (i32.add (local.get $back) (i32.mul (local.get $b) (local.get $ub))))
            (local.set $dst (i32.add (local.get $dh) (i32.mul (local.get $b) (local.get $ub))))
            (memory.copy (local.get $dst) (local.get $src) (local.get $ub))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; out[q] = sum over rows r of dz[r*G + q]: the bias gradient (G a multiple of 4).
  (func (export "columnSums") (param $dz i32) (param $out i32) (param $rows i32) (param $G i32)
    (local $r i32) (local $off i32) (local $gb i32) (local $row i32)
    (local.set $gb (i32.shl (local.get $G) (i32.const 2)))
    (local.set $off (i32.const 0))
    (block $zero_done
      (loop $zero
        (br_if $zero_done (i32.ge_u (local.get $off) (local.get $gb)))
        (v128.store (i32.add (local.get $out) (local.get $off)) (v128.const f32x4 0 0 0 0))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $zero)))
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $dz) (i32.mul (local.get $r) (local.get $gb))))
        (local.set $off (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $off) (local.get $gb)))
            (v128.store (i32.add (local.get $out) (local.get $off))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $off))) (v128.load (i32.add (local.get $row) (local.get $off)))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $cols)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop)))
  )
)
