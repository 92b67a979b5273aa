"""Array code the engine calls: the optional compiled kernels (a leaf: imports nothing of chainrule)."""
