"""The seed's way of writing a figure, as its text prints them (out_o1 = 0.75136507, net_h1 = 0.3775): nine decimals
at most, trailing zeros dropped; what explain's and example's lines are checked against, written here apart from the
code they check."""


def seed(x: float) -> str:
    """`x` rounded to nine decimals, its trailing zeros (and a bare point) dropped; zero as 0, never -0."""
    text = f"{abs(x) if x == 0 else x:.9f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
