"""Bit-level kernels the Adam update needs, written in LLVM IR: Numba has no bit cast and no fused
multiply-add. `kernels.load` compiles them into the update (`kernels._adam_one`); like `kernels`, a
leaf that imports nothing of chainrule, and Numba only when called."""
from __future__ import annotations


def intrinsics():
    """Three functions written in LLVM IR (Numba has no bit cast and no fused multiply-add):
    `subnormal(x)`, whether 0 < |x| < the smallest normal number; `decayed(m, b1, g)`, for a
    subnormal m and a zero g (+0 or -0), m * b1 + (1 - b1) * g as IEEE arithmetic rounds it, for
    0 <= b1 < 1. m is k * 2^-149 (float32; 2^-1074 float64) with an integer k < 2^23 (2^52), so
    m * b1 is round-half-even(k * b1) of that unit, which one fused multiply-add onto 2^23 (2^52)
    gives exactly (the sum is in [2^23, 2^24), where the spacing is 1); m's sign goes with it, and
    a product that rounds to zero adds (1 - b1) * g as signed zeros add (-0 only if both are).
    `quotient(x, c, r)`: x / c correctly rounded, from r = 1 / c correctly rounded, by Markstein's
    correction: q = x * r, e = x - q * c (exact, by a fused multiply-add), q + e * r; q itself where
    e is 0 (x = ±0 keeps its sign) or NaN (x infinite). For x = sqrt(v), neither subnormal (the
    correction can then miss by an ulp) nor near overflow (x * r would overflow where x / c may
    not). tests/test_subnormal_update.py checks every float32 x in [1, 2) against division for the
    bias corrections of Adam's usual betas."""
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic

    def constants(t):
        n, mantissa, bias = (32, 23, 127) if t.bitwidth == 32 else (64, 52, 1023)
        it = ir.IntType(n)
        return it, mantissa, ir.Constant(it, -(1 << (n - 1))), ir.Constant(it, (1 << (n - 1)) - 1), \
            ir.Constant(it, (mantissa + bias) << mantissa)

    @intrinsic
    def subnormal(typingctx, x):
        if not isinstance(x, types.Float):
            return None

        def codegen(context, builder, sig, args):
            it, mantissa, _, magnitude, _ = constants(x)
            a = builder.and_(builder.bitcast(args[0], it), magnitude)
            return builder.icmp_unsigned("<", builder.sub(a, ir.Constant(it, 1)), ir.Constant(it, (1 << mantissa) - 1))
        return types.boolean(x), codegen

    @intrinsic
    def decayed(typingctx, m, b1, g):
        if not (isinstance(m, types.Float) and m == b1 == g):
            return None

        def codegen(context, builder, sig, args):
            it, mantissa, sign, magnitude, scale_bits = constants(m)
            bits, b1_, g_bits = builder.bitcast(args[0], it), args[1], builder.bitcast(args[2], it)
            k = builder.uitofp(builder.and_(bits, magnitude), args[0].type)
            scale = ir.Constant(args[0].type, float(2 ** mantissa))
            q = builder.sub(builder.bitcast(builder.fma(k, b1_, scale), it), scale_bits)
            m_sign = builder.and_(bits, sign)
            out = builder.select(builder.icmp_unsigned("!=", q, ir.Constant(it, 0)), builder.or_(q, m_sign),
                                 builder.and_(m_sign, g_bits))
            return builder.bitcast(out, args[0].type)
        return m(m, b1, g), codegen

    @intrinsic
    def quotient(typingctx, x, c, r):
        if not (isinstance(x, types.Float) and x == c == r):
            return None

        def codegen(context, builder, sig, args):
            x_, c_, r_ = args
            q = builder.fmul(x_, r_)
            e = builder.fma(builder.fneg(q), c_, x_)                       # x - q * c, exact
            keep = builder.or_(builder.fcmp_ordered("==", e, ir.Constant(e.type, 0.0)),
                               builder.fcmp_unordered("uno", e, e))        # exact already, or x infinite
            return builder.select(keep, q, builder.fma(e, r_, q))
        return x(x, c, r), codegen
    return subnormal, decayed, quotient
