"""Hand-derived NumPy references for the deep matrix factorization landscape.

``reduction``: the per-singular-value scalar problem min_x≥0 (a/2)(x − σ)² + (bL/2)|x|^(2/L),
solved by enumerating all stationary points (float64, mpmath where ties matter).
``deep_matrix``: objective, gradient, Hessian-vector product and dense Hessian of F(W_1..W_L) by
product-rule formulas (batched where useful), and global minimizers constructed from the SVD of M.
``instances``: targets with chosen spectra, random problem instances, exact rational orthogonals.
``descent``: batched gradient descent and a Newton polish; ``search``: multi-start descent runs.
"""
