import pytest

from mardoc.eval.metrics import acc_f1, recall_at
from mardoc.eval.scoring import anls, clean, score_answer


@pytest.mark.parametrize(
    ("gold", "pred", "fmt", "expected"),
    [
        # the worked examples of the dev set README
        ("18.29%", "18.3", "Float", 1.0),
        ("18.29%", "0.1829", "Float", 1.0),
        ("1358000", "1,358,000", "Float", 0.0),
        ("['White', '10%']", "['10%', 'white']", "List", 1.0),
        ("Not answerable", "Fail to answer", "None", 0.0),
        # more edges
        ("Not answerable", "Not answerable", "None", 1.0),
        ("12", "12.0", "Int", 1.0),
        ("12", "twelve", "Int", 0.0),
        ("3.5 miles", "3.5", "Int", 0.0),  # an Int gold that is not an integer: 0, no crash
        ("$1,000", "1,000", "Str", 1.0),
        ("2019-05", "2019-05", "Str", 1.0),
        ("2019-05", "2019-06", "Str", 0.0),  # exact-match strings get no partial credit
        ("https://a.b/c", "https://a.b/cd", "Str", 0.0),
        ("[]", "[]", "List", 0.0),  # the known gold [] quirk
        ("['a', 'b']", "['a']", "List", 0.0),
        ("['apple pie', 'banana']", "['banana', 'apple pies']", "List", pytest.approx(1 - 1 / 10)),
        ("['1', '2']", "[1, 2]", "List", 1.0),
        ("['a', 'b']", "[a, b", "List", 1.0),  # unparsable list literal: split, not crash
        ("42%", "42", "Float", 1.0),
        ("0.5", "50%", "Float", 1.0),
        ("7", "", "Float", 0.0),
    ],
)
def test_score_answer(gold: str, pred: str, fmt: str, expected: float) -> None:
    assert score_answer(gold, pred, fmt) == expected


def test_anls_partial_credit_matches_readme() -> None:
    assert score_answer("Less well-off", "less well off", "Str") == pytest.approx(0.923, abs=1e-3)
    assert anls("abc", "xyz") == 0.0


def test_clean_rules() -> None:
    assert clean(' "$12.5%" ') == "12.5"
    assert clean("Paris (France)") == "paris"
    assert clean("1,000") == "1,000"  # commas are kept


def test_aggregates() -> None:
    rows = [
        {"gold": "a", "short": "a", "score": 1.0},
        {"gold": "b", "short": "Not answerable", "score": 0.0},
        {"gold": "Not answerable", "short": "Not answerable", "score": 1.0},
        {"gold": "c", "short": "x", "score": 0.0},
    ]
    m = acc_f1(rows)
    assert m["accuracy"] == 0.5
    assert m["recall"] == pytest.approx(1 / 3)
    assert m["precision"] == pytest.approx(1 / 2)  # 1 hit over 2 non-"Not answerable" predictions
    assert m["f1"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


def test_recall_at_any_and_all() -> None:
    rows = [
        {"evidence_pages": [3, 5], "pages_ranked": [5, 1, 2, 3]},
        {"evidence_pages": [9], "pages_ranked": [1, 2]},
        {"evidence_pages": []},
    ]
    assert recall_at(rows, 1) == 0.5
    assert recall_at(rows, 3, all_pages=True) == 0.0
    assert recall_at(rows, 4, all_pages=True) == 0.5
