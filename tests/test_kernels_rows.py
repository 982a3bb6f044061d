"""Row-order numba writers: every entry point agrees bitwise with the others and, within the
justified tolerance (verify.kernels.matrix.tolerance), with the hand-derived reference."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from verify.kernels import backends
from verify.kernels.matrix import compile_matrix_kernels, random_instances, tolerance
from verify.kernels.program import build_program, row_groups
from verify.landscape import deep_matrix as reference
from verify.symbolic.matrix import derive

numba_only = pytest.mark.skipif(not backends.available("numba"), reason="numba not installed")


def _rel(x, ref):
    return float(np.max(np.abs(x - ref)) / np.max(np.abs(ref)))


def _case(depth, widths, n, seed):
    k = compile_matrix_kernels(depth, widths, "numpy")
    Ws, M, a, b = random_instances(k, np.random.default_rng(seed), n)
    return k, Ws, M, a, b


def test_row_groups_mark_each_row_block_and_refuse_gaps():
    prog = build_program(derive(3, (2, 3, 2, 4)))
    assert prog.groups.tolist() == [0, 3, 6, 9]
    assert row_groups(prog.blocks[[0, 2, 1, 3, 4, 5, 6, 7, 8]]) is None  # columns out of order
    assert row_groups(prog.blocks[1:]) is None  # a missing block


@numba_only
@pytest.mark.parametrize("depth,widths", [(2, (2, 3, 2)), (3, (3, 2, 4, 3))])
def test_single_thread_paths_agree_bitwise_and_with_reference(depth, widths):
    from verify.kernels import numba_program as na
    k, Ws, M, a, b = _case(depth, widths, 70, 21)  # 70 instances: one full tile of 64 and a rest
    prog = build_program(derive(depth, widths))
    P = k.n_params
    ref = reference.hessian(Ws, M, a, b)
    outs = {}
    for path in ("plain", "tiled"):
        out = np.full((70, P, P), np.nan)  # every entry must be written
        assert na.hessian(prog, Ws, M, a, b, out, path=path) == path
        outs[path] = out
    assert np.array_equal(outs["plain"], outs["tiled"])
    assert _rel(outs["plain"], ref) <= tolerance(k)


_UNROLLED = [("unrolled", 1, (2, 3)), ("unrolled", 2, (2, 2, 2)), ("unrolled", 2, (2, 3, 2)),
             ("unrolled", 3, (2, 1, 2, 2))]
_LOOPED = [("looped", 1, (5, 4)), ("looped", 2, (3, 3, 3)), ("looped", 2, (2, 5, 3)), ("looped", 3, (3, 2, 4, 3))]


@numba_only
@pytest.mark.parametrize("style,depth,widths", _UNROLLED + _LOOPED)
def test_generated_kernels_agree_bitwise_with_the_interpreter_and_with_reference(style, depth, widths):
    from verify.kernels import numba_program as na
    k, Ws, M, a, b = _case(depth, widths, 70, 25 if style == "unrolled" else 31)
    for w in Ws:  # signed zeros: a zero layer (a critical point) and negative zeros, whose products are −0.0
        w[0], w[1], w[2, ..., 0] = 0.0, -0.0, -0.0
    M[1] = -0.0
    prog = build_program(derive(depth, widths))
    P = k.n_params
    if style == "looped":  # sizes the unrolled kernel does not take
        assert P > na.numba_generated.UNROLL_MAX_PARAMS and len(prog.ops) <= na.numba_generated.LOOP_MAX_OPS
    outs = {}
    for path in (style, "plain", "tiled"):
        out = np.full((70, P, P), np.nan)  # every entry must be written
        assert na.hessian(prog, Ws, M, a, b, out, path=path) == path
        outs[path] = out
    bits = {path: out.view(np.int64) for path, out in outs.items()}  # bit for bit, the sign of zero included
    assert np.array_equal(bits[style], bits["plain"]) and np.array_equal(bits[style], bits["tiled"])
    assert _rel(outs[style], reference.hessian(Ws, M, a, b)) <= tolerance(k)
    sink = np.full((2, P, P), np.nan)  # the bench's compute-only probe: every instance over sink[0]
    na.hessian(prog, Ws, M, a, b, sink, path=style, sink=True)
    assert np.array_equal(sink[0], outs[style][-1]) and np.isnan(sink[1]).all()


@numba_only
def test_auto_runs_the_parallel_interpreter_for_large_batches_even_where_generated_code_exists(monkeypatch, tmp_path):
    import numba

    from verify.kernels import numba_program as na
    if numba.get_num_threads() < 2:
        pytest.skip("one numba thread")
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(na, "PARALLEL_MIN_ENTRIES", 1)
    for depth, widths in ((2, (2, 2, 2)), (2, (3, 3, 3))):  # unrolled, looped
        k, Ws, M, a, b = _case(depth, widths, 4, 35)
        prog = build_program(derive(depth, widths))
        assert na.hessian(prog, Ws, M, a, b, np.empty((4, k.n_params, k.n_params)), path="auto").endswith("_parallel")


@numba_only
def test_a_program_whose_tables_disagree_with_its_widths_gets_no_generated_kernel():
    """Review of this round: with widths (1, 1, 1) on a (3, 3, 3) program the shape check passed and the kernel, whose
    bounds come from the tables, read past the 1×1 inputs."""
    from verify.kernels import numba_program as na
    prog = build_program(derive(2, (3, 3, 3)))
    bad = dataclasses.replace(prog, widths=(1, 1, 1))
    k, Ws, M, a, b = _case(2, (1, 1, 1), 2, 36)
    for style in ("unrolled", "looped"):
        assert not na.numba_generated.supported(bad, style)
        with pytest.raises(ValueError, match=f"the {style} path needs .*consistent with the widths"):
            na.hessian(bad, Ws, M, a, b, np.empty((2, 18, 18)), path=style)


@numba_only
def test_a_shallow_copy_never_shares_the_compiled_kernel():
    """Review of this round: copy.copy shared the memo dict, so a tampered copy's kernel ran for the original."""
    import copy

    from verify.kernels import numba_program as na
    prog = build_program(derive(2, (3, 3, 3)))
    k, Ws, M, a, b = _case(2, (3, 3, 3), 3, 37)
    bad = copy.copy(prog)
    blocks = prog.blocks.copy()
    blocks[1, 7] -= 1
    bad.blocks = blocks
    na.hessian(bad, Ws, M, a, b, np.empty((3, 18, 18)), path="looped")
    out = np.empty((3, 18, 18))
    na.hessian(prog, Ws, M, a, b, out, path="looped")
    assert _rel(out, reference.hessian(Ws, M, a, b)) <= tolerance(k)


@numba_only
def test_looped_path_is_refused_above_its_op_count_or_width_and_auto_picks_it_only_with_the_cache(monkeypatch,
                                                                                                  tmp_path):
    from verify.kernels import numba_program as na
    deep = build_program(derive(4, (2, 2, 2, 2, 3)))  # P = 18 > 16, and 86 ops > LOOP_MAX_OPS
    assert len(deep.ops) > na.numba_generated.LOOP_MAX_OPS
    k, Ws, M, a, b = _case(4, (2, 2, 2, 2, 3), 2, 32)
    with pytest.raises(ValueError, match="looped path"):
        na.hessian(deep, Ws, M, a, b, np.empty((2, 18, 18)), path="looped")
    wide = build_program(derive(1, (6, 3)))  # P = 18, 6 > LOOP_MAX_WIDTH
    k, Ws, M, a, b = _case(1, (6, 3), 2, 34)
    with pytest.raises(ValueError, match="looped path"):
        na.hessian(wide, Ws, M, a, b, np.empty((2, 18, 18)), path="looped")
    k, Ws, M, a, b = _case(2, (2, 5, 3), 3, 33)
    out = np.empty((3, k.n_params, k.n_params))
    monkeypatch.setenv("VERIFY_CACHE", "off")
    assert na.hessian(build_program(derive(2, (2, 5, 3))), Ws, M, a, b, out) == "plain"
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))
    na.numba_generated._compile.cache_clear()
    assert na.hessian(build_program(derive(2, (2, 5, 3))), Ws, M, a, b, out) == "looped"
    assert list(tmp_path.glob("*/looped_*.py"))
    na.numba_generated._compile.cache_clear()


@numba_only
def test_auto_picks_the_unrolled_kernel_only_where_the_cache_keeps_it(monkeypatch, tmp_path):
    from verify.kernels import numba_program as na
    k, Ws, M, a, b = _case(2, (2, 2, 2), 3, 27)
    out = np.empty((3, 8, 8))
    monkeypatch.setenv("VERIFY_CACHE", "off")
    assert na.hessian(build_program(derive(2, (2, 2, 2))), Ws, M, a, b, out) == "tiled"  # compiled once per machine
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))
    na.numba_generated._compile.cache_clear()  # an earlier test compiled this size in memory
    assert na.hessian(build_program(derive(2, (2, 2, 2))), Ws, M, a, b, out) == "unrolled"
    assert list(tmp_path.glob("*/unrolled_*.py"))
    na.numba_generated._compile.cache_clear()


@numba_only
def test_a_bad_cached_source_or_an_unloadable_module_is_a_miss(monkeypatch, tmp_path):
    """Review of this round: a cached file that is not text crashed the call; so did a module numba cannot cache."""
    from verify import cache
    from verify.kernels import numba_generated as nu
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path))
    k, Ws, M, a, b = _case(1, (1, 2), 2, 28)
    ref = reference.hessian(Ws, M, a, b)
    prog = build_program(derive(1, (1, 2)))
    text = nu.source(prog).replace("__CACHE__", "True")
    path = cache.source_file("unrolled", text)
    with open(path, "wb") as fh:
        fh.write(b"\xff\xfe not text")
    nu._compile.cache_clear()
    out = np.empty((2, 2, 2))
    nu.hessian(prog, Ws, M, a, b, out)
    assert _rel(out, ref) <= tolerance(k) and open(path, encoding="utf-8").read() == text  # rewritten

    def unloadable(*args, **kwargs):
        raise RuntimeError("cannot cache function 'kern': no locator available")
    monkeypatch.setattr(nu.importlib.util, "spec_from_file_location", unloadable)
    nu._compile.cache_clear()
    prog = build_program(derive(1, (1, 2)))
    out = np.empty((2, 2, 2))
    nu.hessian(prog, Ws, M, a, b, out)  # compiled in memory instead
    assert _rel(out, ref) <= tolerance(k)
    nu._compile.cache_clear()


@numba_only
def test_a_replaced_program_never_runs_the_original_kernel():
    """Review of this round: dataclasses.replace copied the compiled kernel, so a tampered copy ran the original."""
    from verify.kernels import numba_program as na
    prog = build_program(derive(2, (2, 3, 2)))
    k, Ws, M, a, b = _case(2, (2, 3, 2), 3, 29)
    na.hessian(prog, Ws, M, a, b, np.empty((3, 12, 12)), path="unrolled")
    blocks = prog.blocks.copy()
    blocks[1, 7] -= 1
    bad = dataclasses.replace(prog, blocks=blocks)
    assert bad._generated == {}
    out = np.empty((3, 12, 12))
    na.hessian(bad, Ws, M, a, b, out, path="unrolled")
    assert _rel(out, reference.hessian(Ws, M, a, b)) > 1e-3


@numba_only
def test_the_unrolled_kernel_checks_shapes():
    from verify.kernels import numba_generated as nu
    prog = build_program(derive(1, (1, 2)))
    k, Ws, M, a, b = _case(1, (1, 2), 2, 30)
    with pytest.raises(ValueError, match="unrolled kernel"):
        nu.hessian(prog, Ws, M, a, b, np.empty((1, 2, 2)))  # out too short
    with pytest.raises(ValueError, match="unrolled kernel"):
        nu.hessian(prog, [np.zeros((2, 3, 3))], M, a, b, np.empty((2, 2, 2)))
    with pytest.raises(ValueError, match="looped kernel"):  # a of shape (N, 1) (review of this round: a typing error)
        nu.hessian(prog, Ws, M, a[:, None], b, np.empty((2, 2, 2)), style="looped")


@numba_only
def test_unrolled_path_is_refused_above_its_size():
    from verify.kernels import numba_program as na
    prog = build_program(derive(3, (3, 2, 4, 3)))  # P = 26 > UNROLL_MAX_PARAMS
    k, Ws, M, a, b = _case(3, (3, 2, 4, 3), 2, 26)
    with pytest.raises(ValueError, match="unrolled path"):
        na.hessian(prog, Ws, M, a, b, np.empty((2, 26, 26)), path="unrolled")
    assert na.hessian(prog, Ws, M, a, b, np.empty((2, 26, 26))) == "tiled"  # the interpreter, instance-innermost


@numba_only
def test_out_buffer_is_reused_and_fully_overwritten():
    k = compile_matrix_kernels(2, (4, 4, 4), "numba")
    _, Ws, M, a, b = _case(2, (4, 4, 4), 5, 22)
    out = np.full((5, k.n_params, k.n_params), 1e300)
    H = k.hessian(Ws, M, a, b, out=out)
    assert H is out
    assert _rel(out, reference.hessian(Ws, M, a, b)) <= tolerance(k)


@numba_only
def test_a_wrong_term_in_the_row_writer_is_caught():
    """Perturbation: one Hessian term dropped from the program -> the reference disagrees."""
    from verify.kernels import numba_program as na
    der = derive(2, (2, 3, 2))
    prog = build_program(der)
    blocks = prog.blocks.copy()
    blocks[1, 7] -= 1  # block (0, 1) loses its last term
    bad = dataclasses.replace(prog, blocks=blocks)
    k, Ws, M, a, b = _case(2, (2, 3, 2), 3, 23)
    for path in ("plain", "tiled", "unrolled"):
        out = np.empty((3, k.n_params, k.n_params))
        na.hessian(bad, Ws, M, a, b, out, path=path)
        assert _rel(out, reference.hessian(Ws, M, a, b)) > 1e-3


@numba_only
@pytest.mark.slow  # the parallel entry points' first compile takes 10-20 s on a cold cache
def test_parallel_paths_agree_bitwise():
    from verify.kernels import numba_program as na
    k, Ws, M, a, b = _case(2, (3, 2, 4), 150, 24)
    prog = build_program(derive(2, (3, 2, 4)))
    P = k.n_params
    outs = []
    for path in ("plain", "plain_parallel", "tiled", "tiled_parallel"):
        out = np.full((150, P, P), np.nan)
        na.hessian(prog, Ws, M, a, b, out, path=path)
        outs.append(out)
    assert all(np.array_equal(outs[0], o) for o in outs[1:])
