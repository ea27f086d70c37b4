;; The fused GRU kernel's per-step gate arithmetic in WebAssembly SIMD (f32x4), working in place
;; on tfjs-wasm's own heap: the module imports the backend's memory, and every pointer below is a
;; tensor's byte offset in it. Assembled into gru-gates-wasm.ts with wabt (as scripts/build-wat.mjs
;; does for the other modules). Layouts (float32): xw, gates, dA [B*T, 3U] (row b*T+t; gates hold
;; z, r, h~), hr [B, 2U], h, rh, cand, dh, carry, back, drh [B, U], dzr [B, 2U], seq, dy, dAh,
;; hPrev, rhPrev [B*T, U], dAzr [B*T, 2U], bias, biasAcc [3U], mask [B*T]. U must be a multiple
;; of 4. `hard` (i32): 1 for tfjs' hard sigmoid clip(0.2 x + 0.5, 0, 1), 0 for the logistic one.
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

  ;; tfjs-layers' hard sigmoid: clip(0.2 x + 0.5, 0, 1)
  (func $hardSigmoid (param $x v128) (result v128)
    (f32x4.max (v128.const f32x4 0 0 0 0)
      (f32x4.min (v128.const f32x4 1 1 1 1)
        (f32x4.add (f32x4.mul (local.get $x) (v128.const f32x4 0.2 0.2 0.2 0.2)) (v128.const f32x4 0.5 0.5 0.5 0.5)))))

  (func $gate (param $x v128) (param $hard i32) (result v128)
    (if (result v128) (local.get $hard)
      (then (call $hardSigmoid (local.get $x)))
      (else (call $sigmoid (local.get $x)))))

  ;; the gate's derivative from its output s: 0.2 inside (0, 1) for the hard sigmoid, s (1 - s) otherwise
  (func $slope (param $s v128) (param $hard i32) (result v128)
    (if (result v128) (local.get $hard)
      (then (v128.and (v128.and (f32x4.gt (local.get $s) (v128.const f32x4 0 0 0 0)) (f32x4.lt (local.get $s) (v128.const f32x4 1 1 1 1)))
                      (v128.const f32x4 0.2 0.2 0.2 0.2)))
      (else (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s))))))

  ;; Forward step t, first half: z and r from xw + hr + bias into gates, rh = r h; masked rows get rh = 0.
  (func (export "forwardGates")
    (param $xw i32) (param $hr i32) (param $bias i32) (param $h i32) (param $rh i32) (param $gates i32) (param $mask i32)
    (param $B i32) (param $T i32) (param $U i32) (param $t i32) (param $hard i32)
    (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $zx i32) (local $zh i32) (local $gt i32) (local $hb i32) (local $rb i32) (local $r v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $gb (i32.mul (local.get $ub) (i32.const 3)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $hb (i32.add (local.get $h) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $rb (i32.add (local.get $rh) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $off (i32.const 0))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $zx (i32.add (local.get $xw) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $zh (i32.add (local.get $hr) (i32.mul (local.get $b) (i32.shl (local.get $ub) (i32.const 1)))))
            (local.set $gt (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $gb))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (local.get $gt) (local.get $off))
                  (call $gate (f32x4.add (f32x4.add (v128.load (i32.add (local.get $zx) (local.get $off))) (v128.load (i32.add (local.get $zh) (local.get $off))))
                                         (v128.load (i32.add (local.get $bias) (local.get $off))))
                              (local.get $hard)))
                (local.set $r
                  (call $gate (f32x4.add (f32x4.add (v128.load (i32.add (i32.add (local.get $zx) (local.get $ub)) (local.get $off)))
                                                    (v128.load (i32.add (i32.add (local.get $zh) (local.get $ub)) (local.get $off))))
                                         (v128.load (i32.add (i32.add (local.get $bias) (local.get $ub)) (local.get $off))))
                              (local.get $hard)))
                (v128.store (i32.add (i32.add (local.get $gt) (local.get $ub)) (local.get $off)) (local.get $r))
                (v128.store (i32.add (local.get $rb) (local.get $off)) (f32x4.mul (local.get $r) (v128.load (i32.add (local.get $hb) (local.get $off)))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $zero_done
              (loop $zero
                (br_if $zero_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (local.get $rb) (local.get $off)) (v128.const f32x4 0 0 0 0))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $zero)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; Forward step t, second half: h~ = tanh(xw_h + cand + bias_h), h = z h + (1 - z) h~ (into h,
  ;; seq and gates); masked rows carry h into seq.
  (func (export "forwardOut")
    (param $xw i32) (param $cand i32) (param $bias i32) (param $h i32) (param $seq i32) (param $gates i32) (param $mask i32)
    (param $B i32) (param $T i32) (param $U i32) (param $t i32)
    (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $zx i32) (local $cb i32) (local $gt i32) (local $hb i32) (local $so i32)
    (local $z v128) (local $hh v128) (local $hn v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $gb (i32.mul (local.get $ub) (i32.const 3)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $hb (i32.add (local.get $h) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $so (i32.add (local.get $seq) (i32.mul (local.get $row) (local.get $ub))))
        (local.set $off (i32.const 0))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $zx (i32.add (i32.add (local.get $xw) (i32.mul (local.get $row) (local.get $gb))) (i32.shl (local.get $ub) (i32.const 1))))
            (local.set $cb (i32.add (local.get $cand) (i32.mul (local.get $b) (local.get $ub))))
            (local.set $gt (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $gb))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (local.set $hh (call $tanh (f32x4.add (f32x4.add (v128.load (i32.add (local.get $zx) (local.get $off))) (v128.load (i32.add (local.get $cb) (local.get $off))))
                                                      (v128.load (i32.add (i32.add (local.get $bias) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))))
                (local.set $z (v128.load (i32.add (local.get $gt) (local.get $off))))
                (local.set $hn (f32x4.add (f32x4.mul (local.get $z) (v128.load (i32.add (local.get $hb) (local.get $off))))
                                          (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (local.get $hh))))
                (v128.store (i32.add (i32.add (local.get $gt) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off)) (local.get $hh))
                (v128.store (i32.add (local.get $hb) (local.get $off)) (local.get $hn))
                (v128.store (i32.add (local.get $so) (local.get $off)) (local.get $hn))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $carry_done
              (loop $carry
                (br_if $carry_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (local.get $so) (local.get $off)) (v128.load (i32.add (local.get $hb) (local.get $off))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $carry)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; Backward step t, first half: dh += dy; for real rows dA_h = dh (1 - z) (1 - h~^2) into dahStep
  ;; [B, U], dA (its h columns) and dAh, and into biasAcc; masked rows get dahStep = 0.
  (func (export "backwardA")
    (param $dy i32) (param $mask i32) (param $gates i32) (param $dh i32) (param $dahStep i32) (param $dA i32) (param $dAh i32) (param $biasAcc i32)
    (param $B i32) (param $T i32) (param $U i32) (param $t i32)
    (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $dhb i32) (local $dyr i32) (local $gt i32) (local $sb i32) (local $ar i32) (local $hr i32) (local $bh i32)
    (local $z v128) (local $hh v128) (local $da v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $gb (i32.mul (local.get $ub) (i32.const 3)))
    (local.set $bh (i32.add (local.get $biasAcc) (i32.shl (local.get $ub) (i32.const 1))))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $dhb (i32.add (local.get $dh) (i32.mul (local.get $b) (local.get $ub))))
        (local.set $dyr (i32.add (local.get $dy) (i32.mul (local.get $row) (local.get $ub))))
        (local.set $sb (i32.add (local.get $dahStep) (i32.mul (local.get $b) (local.get $ub))))
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
            (local.set $ar (i32.add (i32.add (local.get $dA) (i32.mul (local.get $row) (local.get $gb))) (i32.shl (local.get $ub) (i32.const 1))))
            (local.set $hr (i32.add (local.get $dAh) (i32.mul (local.get $row) (local.get $ub))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (local.set $z (v128.load (i32.add (local.get $gt) (local.get $off))))
                (local.set $hh (v128.load (i32.add (i32.add (local.get $gt) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))
                (local.set $da (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $dhb) (local.get $off))) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)))
                                          (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $hh) (local.get $hh)))))
                (v128.store (i32.add (local.get $sb) (local.get $off)) (local.get $da))
                (v128.store (i32.add (local.get $ar) (local.get $off)) (local.get $da))
                (v128.store (i32.add (local.get $hr) (local.get $off)) (local.get $da))
                (v128.store (i32.add (local.get $bh) (local.get $off)) (f32x4.add (v128.load (i32.add (local.get $bh) (local.get $off))) (local.get $da)))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $zero_done
              (loop $zero
                (br_if $zero_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (local.get $sb) (local.get $off)) (v128.const f32x4 0 0 0 0))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $zero)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; Backward step t, second half, after drh = dahStep . U_h^T: for real rows dA_z = dh (h_{t-1} - h~) z',
  ;; dA_r = drh h_{t-1} r' (into dzr [B, 2U], dA, dAzr and biasAcc), carry = dh z + drh r, and
  ;; h_{t-1}, r h_{t-1} into hPrev, rhPrev; masked rows get dzr = 0.
  (func (export "backwardB")
    (param $mask i32) (param $gates i32) (param $seq i32) (param $dh i32) (param $drh i32) (param $carry i32) (param $dzr i32)
    (param $dA i32) (param $dAzr i32) (param $hPrev i32) (param $rhPrev i32) (param $biasAcc i32)
    (param $B i32) (param $T i32) (param $U i32) (param $t i32) (param $hard i32)
    (local $b i32) (local $row i32) (local $off i32) (local $ub i32) (local $gb i32)
    (local $gt i32) (local $pr i32) (local $dhb i32) (local $drb i32) (local $cb i32) (local $sb i32) (local $ar i32) (local $zr i32)
    (local $hp i32) (local $rp i32)
    (local $z v128) (local $r v128) (local $hh v128) (local $h v128) (local $dhu v128) (local $d v128) (local $daz v128) (local $dar v128)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $gb (i32.mul (local.get $ub) (i32.const 3)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (local.set $sb (i32.add (local.get $dzr) (i32.mul (local.get $b) (i32.shl (local.get $ub) (i32.const 1)))))
        (local.set $off (i32.const 0))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $gt (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $pr (i32.sub (i32.add (local.get $seq) (i32.mul (local.get $row) (local.get $ub))) (local.get $ub)))
            (local.set $dhb (i32.add (local.get $dh) (i32.mul (local.get $b) (local.get $ub))))
            (local.set $drb (i32.add (local.get $drh) (i32.mul (local.get $b) (local.get $ub))))
            (local.set $cb (i32.add (local.get $carry) (i32.mul (local.get $b) (local.get $ub))))
            (local.set $ar (i32.add (local.get $dA) (i32.mul (local.get $row) (local.get $gb))))
            (local.set $zr (i32.add (local.get $dAzr) (i32.mul (local.get $row) (i32.shl (local.get $ub) (i32.const 1)))))
            (local.set $hp (i32.add (local.get $hPrev) (i32.mul (local.get $row) (local.get $ub))))
            (local.set $rp (i32.add (local.get $rhPrev) (i32.mul (local.get $row) (local.get $ub))))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (local.set $z (v128.load (i32.add (local.get $gt) (local.get $off))))
                (local.set $r (v128.load (i32.add (i32.add (local.get $gt) (local.get $ub)) (local.get $off))))
                (local.set $hh (v128.load (i32.add (i32.add (local.get $gt) (i32.shl (local.get $ub) (i32.const 1))) (local.get $off))))
                (local.set $h (if (result v128) (i32.gt_u (local.get $t) (i32.const 0))
                  (then (v128.load (i32.add (local.get $pr) (local.get $off))))
                  (else (v128.const f32x4 0 0 0 0))))
                (local.set $dhu (v128.load (i32.add (local.get $dhb) (local.get $off))))
                (local.set $d (v128.load (i32.add (local.get $drb) (local.get $off))))
                (local.set $daz (f32x4.mul (f32x4.mul (local.get $dhu) (f32x4.sub (local.get $h) (local.get $hh))) (call $slope (local.get $z) (local.get $hard))))
                (local.set $dar (f32x4.mul (f32x4.mul (local.get $d) (local.get $h)) (call $slope (local.get $r) (local.get $hard))))
                (v128.store (i32.add (local.get $cb) (local.get $off))
                  (f32x4.add (f32x4.mul (local.get $dhu) (local.get $z)) (f32x4.mul (local.get $d) (local.get $r))))
                (v128.store (i32.add (local.get $sb) (local.get $off)) (local.get $daz))
                (v128.store (i32.add (i32.add (local.get $sb) (local.get $ub)) (local.get $off)) (local.get $dar))
                (v128.store (i32.add (local.get $ar) (local.get $off)) (local.get $daz))
                (v128.store (i32.add (i32.add (local.get $ar) (local.get $ub)) (local.get $off)) (local.get $dar))
                (v128.store (i32.add (local.get $zr) (local.get $off)) (local.get $daz))
                (v128.store (i32.add (i32.add (local.get $zr) (local.get $ub)) (local.get $off)) (local.get $dar))
                (v128.store (i32.add (local.get $hp) (local.get $off)) (local.get $h))
                (v128.store (i32.add (local.get $rp) (local.get $off)) (f32x4.mul (local.get $r) (local.get $h)))
                (v128.store (i32.add (local.get $biasAcc) (local.get $off))
                  (f32x4.add (v128.load (i32.add (local.get $biasAcc) (local.get $off))) (local.get $daz)))
                (v128.store (i32.add (i32.add (local.get $biasAcc) (local.get $ub)) (local.get $off))
                  (f32x4.add (v128.load (i32.add (i32.add (local.get $biasAcc) (local.get $ub)) (local.get $off))) (local.get $dar)))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units))))
          (else
            (block $zero_done
              (loop $zero
                (br_if $zero_done (i32.ge_u (local.get $off) (i32.shl (local.get $ub) (i32.const 1))))
                (v128.store (i32.add (local.get $sb) (local.get $off)) (v128.const f32x4 0 0 0 0))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $zero)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )

  ;; After back = dzr . U_zr^T: real rows take dh = carry + back, masked rows keep their dh.
  (func (export "carryStep")
    (param $back i32) (param $carry i32) (param $dh i32) (param $mask i32) (param $B i32) (param $T i32) (param $U i32) (param $t i32)
    (local $b i32) (local $off i32) (local $ub i32) (local $row i32) (local $o i32)
    (local.set $ub (i32.shl (local.get $U) (i32.const 2)))
    (local.set $b (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $b) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $b) (local.get $T)) (local.get $t)))
        (if (f32.gt (f32.load (i32.add (local.get $mask) (i32.shl (local.get $row) (i32.const 2)))) (f32.const 0))
          (then
            (local.set $o (i32.mul (local.get $b) (local.get $ub)))
            (local.set $off (i32.const 0))
            (block $units_done
              (loop $units
                (br_if $units_done (i32.ge_u (local.get $off) (local.get $ub)))
                (v128.store (i32.add (i32.add (local.get $dh) (local.get $o)) (local.get $off))
                  (f32x4.add (v128.load (i32.add (i32.add (local.get $carry) (local.get $o)) (local.get $off)))
                             (v128.load (i32.add (i32.add (local.get $back) (local.get $o)) (local.get $off)))))
                (local.set $off (i32.add (local.get $off) (i32.const 16)))
                (br $units)))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rows)))
  )
)
