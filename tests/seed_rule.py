"""The seed's way of writing a figure, as its text prints them (out_o1 = 0.75136507, net_h1 = 0.3775): nine decimals
at most, trailing zeros dropped; what explain's and example's lines are checked against, written here apart from the
code they check (by decimal arithmetic on the float's exact value, not by a format string)."""
from decimal import ROUND_HALF_EVEN, Decimal


def seed(x: float) -> str:
    """`x` rounded to nine decimals, its trailing zeros (and a bare point) dropped; zero as 0, never -0."""
    rounded = Decimal(float(x)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return format(rounded.normalize(), "f") if rounded else "0"
