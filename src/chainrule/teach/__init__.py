"""Readers of the engine for learners: explain, the worked example, formulas, gradcheck, plots."""
