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
