"""`records.record` behaves as `@dataclass(frozen=True)` did for the engine's types:
same construction, equality, hash, repr and refusal to assign; `replace` as
`dataclasses.replace`."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacost import records
from ketacost.amounts import Triple
from ketacost.records import record


@record
class Pair:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True)
class PairDC:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()


@record(frozen=False)
class Counter:
    n: int = 0


@record
class Child(Pair):
    d: int = 4


values = st.tuples(st.integers(), st.text(max_size=5), st.tuples(st.integers()))


@given(values, values)
def test_a_record_equals_hashes_and_prints_as_a_frozen_dataclass(x: tuple, y: tuple) -> None:
    r1, r2 = Pair(*x), Pair(*y)
    d1, d2 = PairDC(*x), PairDC(*y)
    assert (r1 == r2) == (d1 == d2)
    assert (hash(r1) == hash(r2)) or r1 != r2
    assert repr(r1) == repr(d1).replace("PairDC", "Pair")
    assert Pair(a=x[0], b=x[1], c=x[2]) == r1
    assert records.replace(r1, b=y[1]) == Pair(x[0], y[1], x[2])
    assert dataclasses.replace(d1, b=y[1]) == PairDC(x[0], y[1], x[2])


def test_defaults_missing_and_unknown_fields() -> None:
    assert Pair(1) == Pair(1, "x", ())
    with pytest.raises(TypeError, match="missing the field 'a'"):
        Pair()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected or repeated"):
        Pair(1, a=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="unexpected or repeated"):
        Pair(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 3 fields"):
        Pair(1, "y", (), 4)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="has no field"):
        records.replace(Pair(1), z=3)


def test_read_only_unless_asked() -> None:
    p = Pair(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.a  # type: ignore[misc]
    c = Counter()
    c.n += 1
    assert c == Counter(1)
    with pytest.raises(TypeError):
        hash(c)


def test_a_subclass_adds_fields_after_its_bases() -> None:
    child = Child(1, "y", (), 5)
    assert records.fields_of(Child) == ("a", "b", "c", "d")
    assert child != Pair(1, "y", ())
    assert Child(1) == Child(1, "x", (), 4)


def test_a_generic_record_subscripted_and_sums() -> None:
    t = Triple[Decimal](Decimal(1), Decimal(2), Decimal(3))
    assert t + t == Triple(Decimal(2), Decimal(4), Decimal(6))
    assert list(t) == [Decimal(1), Decimal(2), Decimal(3)]
    assert not hasattr(t, "__orig_class__")
