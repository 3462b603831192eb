import pytest
from pydantic import ValidationError

from mardoc.memory import EvidenceMemory, Source, quote_found

SRC_TEXT = "The default weight value is 50, and the maximum is 100. KDE’s glob system replaces GNOME’s."


def src(chunk: str = "c1", page: int = 4) -> Source:
    return Source(doc_id="d", doc_name="spec.pdf", page=page, chunk_id=chunk, kind="block")


@pytest.mark.parametrize(
    ("quote", "ok"),
    [
        ("The default weight value is 50", True),
        ("the  DEFAULT weight\nvalue is 50", True),  # case and whitespace
        ("KDE's glob system replaces GNOME's", True),  # typographic quotes
        ("The default weight value is 50 and the maximum is 100", True),  # a dropped comma
        ("The default weight value is 75", False),
        ("an invented sentence that is not in the source", False),
        ("50", False),  # too short to verify
    ],
)
def test_quote_verification(quote: str, ok: bool) -> None:
    assert quote_found(quote, SRC_TEXT) is ok


def test_add_rejects_unverified_and_dedupes() -> None:
    m = EvidenceMemory()
    e = m.add_evidence("Default glob weight is 50", "default weight value is 50", src(), 1, SRC_TEXT)
    assert e is not None and len(e.id) == 12
    assert m.add_evidence("Made up", "weight value is 99", src(), 1, SRC_TEXT) is None
    assert m.rejected == 1
    same = m.add_evidence("default glob weight is 50.", "the maximum is 100", src("c2"), 2, SRC_TEXT)
    assert same == e and len(m.evidence) == 1
    # items are frozen: changes go through methods
    with pytest.raises(ValidationError):
        e.statement = "x"  # type: ignore[misc]


def test_supersede_link_gaps() -> None:
    m = EvidenceMemory()
    a = m.add_evidence("Weight default is 50", "default weight value is 50", src(), 1, SRC_TEXT)
    b = m.add_evidence("Maximum weight is 100", "the maximum is 100", src(), 1, SRC_TEXT)
    assert a and b
    step = m.link("both numbers bound the weight", [a.id, b.id, "unknown"], "weights range 50..100")
    assert step is not None and step.depends_on == (a.id, b.id)
    assert m.link("nothing", ["unknown"], "x") is None
    assert m.supersede(a.id, b.id) and m.get(a.id).status == "superseded"  # type: ignore[union-attr]
    assert [e.id for e in m.active()] == [b.id]
    assert not m.supersede("missing", b.id)
    m.add_gap("which year?")
    m.add_gap("which year?")
    assert len(m.open_gaps()) == 1
    m.close_gaps()
    assert m.open_gaps() == []


def test_render_relevance_order_budget_and_stability() -> None:
    m = EvidenceMemory()
    text = "alpha beta gamma. The glob weight is 50. Bananas are yellow fruit."
    m.add_evidence("Bananas are yellow", "Bananas are yellow fruit", src("c1"), 1, text)
    m.add_evidence("Glob weight is 50", "The glob weight is 50", src("c2"), 1, text)
    out = m.render("what is the glob weight?", budget_tokens=500)
    assert out.index("Glob weight") < out.index("Bananas")
    assert out == m.render("what is the glob weight?", budget_tokens=500)
    small = m.render("what is the glob weight?", budget_tokens=30)
    assert "Glob weight" in small and "Bananas" not in small


def test_json_round_trip() -> None:
    m = EvidenceMemory()
    a = m.add_evidence("Weight default is 50", "default weight value is 50", src(), 1, SRC_TEXT)
    m.link("x", [a.id], "y")  # type: ignore[union-attr]
    again = EvidenceMemory.from_json(m.to_json())
    assert again == m
