"""dmf-verify: symbolic-numeric verification of matrix factorization landscape theorems.

Layers, each importing only those before it:
symbolic → highprec → kernels → claims → runner → report → cli.
"""
__version__ = "0.1.0"
