"""The derivation disk cache (verify.cache): round trips, corrupt or foreign entries recomputed, off switches,
an unwritable directory tolerated. Every test uses its own temporary cache directory."""
from __future__ import annotations

import os
import stat

import pytest
import sympy as sp

from verify import cache
from verify.symbolic import scalar


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setitem(cache._state, "disabled", False)
    return tmp_path / "c"


def _counting():
    calls = []

    @cache.disk_cached
    def derived(depth: int, scale: sp.Expr = sp.Rational(1, 2)) -> sp.Expr:
        calls.append(depth)
        return scale * scalar.rho ** depth + scalar.mabs

    return derived, calls


def _entries(root):
    return sorted(root.glob("*/*.pkl"))


def test_second_call_is_read_from_disk(cache_dir):
    derived, calls = _counting()
    first = derived(3)
    again, calls2 = _counting()  # a fresh function object: what a second process sees
    assert again(3) == first and calls2 == [] and calls == [3]
    assert again(depth=3, scale=sp.Rational(1, 2)) == first and calls2 == []  # same key when bound by name
    assert again(4) != first and calls2 == [4]
    assert len(_entries(cache_dir)) == 2


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_entry_is_recomputed_not_an_error(cache_dir, damage):
    derived, _ = _counting()
    value = derived(5)
    (path,) = _entries(cache_dir)
    data = path.read_bytes()
    path.write_bytes({"flip": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:], "truncate": data[: len(data) // 2],
                      "garbage": b"not a cache entry", "empty": b""}[damage])
    again, calls = _counting()
    assert again(5) == value and calls == [5]
    assert cache.load(_key(cache_dir)) is not None  # rewritten whole
    assert not cache.is_miss(cache.load(_key(cache_dir)))


def _key(root) -> str:
    """The key text of the single entry under root (stored inside it)."""
    import pickle

    (path,) = _entries(root)
    body = path.read_bytes()[len(cache.MAGIC):]
    return pickle.loads(body[32:])[0]


def test_an_entry_for_another_key_is_a_miss(cache_dir):
    derived, _ = _counting()
    derived(6)
    key = _key(cache_dir)
    (path,) = _entries(cache_dir)
    other = cache_dir / "x"
    cache.store(key.replace("6", "7"), sp.Integer(99))  # a different key under its own name...
    moved = sorted(set(_entries(cache_dir)) - {path})[0]
    os.replace(moved, path)  # ...placed where key 6 is looked up (a hash collision, simulated)
    assert cache.is_miss(cache.load(key))
    assert not other.exists()


def test_a_file_writable_by_others_is_not_trusted(cache_dir):
    derived, _ = _counting()
    derived(2)
    (path,) = _entries(cache_dir)
    path.chmod(path.stat().st_mode | stat.S_IWOTH)
    assert cache.is_miss(cache.load(_key(cache_dir)))


def test_off_switch_and_pytest_default(cache_dir, monkeypatch):
    derived, calls = _counting()
    monkeypatch.setenv("VERIFY_CACHE", "off")
    derived(3), derived(3)
    assert calls == [3, 3] and not cache_dir.exists()
    monkeypatch.delenv("VERIFY_CACHE")  # under pytest the default is off: tests stay hermetic
    derived(3)
    assert calls == [3, 3, 3] and not cache_dir.exists()


def test_unwritable_directory_disables_the_cache_silently(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("VERIFY_CACHE_DIR", str(blocker / "c"))
    monkeypatch.setenv("VERIFY_CACHE", "on")
    monkeypatch.setitem(cache._state, "disabled", False)
    derived, calls = _counting()
    assert derived(3) == sp.Rational(1, 2) * scalar.rho ** 3 + scalar.mabs
    assert derived(3) == sp.Rational(1, 2) * scalar.rho ** 3 + scalar.mabs
    assert calls == [3, 3] and cache._state["disabled"] is True


def test_version_names_tool_sympy_and_ground_types(monkeypatch):
    import sympy
    from sympy.external.gmpy import GROUND_TYPES

    import verify

    version = cache.cache_version()
    assert f"v{verify.__version__}-" in version and f"sympy{sympy.__version__}-{GROUND_TYPES}-" in version
    monkeypatch.setitem(cache._state, "version", None)
    monkeypatch.setattr(cache, "_SOURCES", cache._SOURCES[1:])  # a different set of sources: another version
    assert cache.cache_version() != version


def test_real_derivations_round_trip_exactly(cache_dir):
    from verify.problems.scalar import convention_problem
    from verify.problems.threshold import derive_problem_threshold

    fresh = scalar.derive_threshold.__wrapped__.uncached(5)
    disk = scalar.derive_threshold.__wrapped__  # the disk layer, below the in-memory lru_cache
    disk(5)
    loaded = disk(5)
    assert loaded == fresh and loaded is not fresh
    problem = convention_problem("S")
    pt = derive_problem_threshold.__wrapped__
    assert pt(problem, 3) == pt.uncached(problem, 3)
    assert len(_entries(cache_dir)) >= 2  # the threshold, the reduction it uses, ...


def test_unkeyable_arguments_run_uncached(cache_dir):
    calls = []

    @cache.disk_cached
    def f(x):
        calls.append(x)
        return 1

    f(object()), f(object())
    assert len(calls) == 2 and not cache_dir.exists()


def test_a_cache_setting_not_understood_turns_the_cache_off_and_says_so(monkeypatch):
    """VERIFY_CACHE=disable (not on/off) must not silently read as "on"."""
    import warnings

    from verify import cache

    monkeypatch.setenv("VERIFY_CACHE", "disable")
    monkeypatch.setitem(cache._state, "warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache._off()
    assert any("VERIFY_CACHE='disable'" in str(w.message) for w in caught)
