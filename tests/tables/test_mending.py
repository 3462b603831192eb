"""A query that fails on a name or matches nothing is mended by code, the way its writer meant it."""

from __future__ import annotations

from mardoc.tables import matched_nothing, read_question, run_mended, run_select, text_by_order
from mardoc.tables.sql import repaired
from mardoc.types import TableGrid
from tests.tables.builders import page_tables


def courses() -> list:
    grid = TableGrid(
        cells=(
            ("Area", "Requirement", "Units"),
            ("Compulsory courses", "HX2104 Academic Writing", "4"),
            ("Compulsory courses", "HX3310 Research Ethics", "2"),
            ("Electives", "Any two LAB modules", "8"),
        )
    )
    return page_tables(grid, page=2)


def test_text_compares_without_regard_to_case() -> None:
    r = run_select("SELECT units FROM t1 WHERE area = 'electives'", courses())
    assert r.rows == [(8.0,)]


def test_a_like_without_wildcards_looks_inside_the_cell() -> None:
    result, error, sql, steps = run_mended("SELECT requirement FROM t1 WHERE requirement LIKE 'LAB'", courses())
    assert error == "" and result is not None and result.rows == [("Any two LAB modules",)]
    assert sql == "SELECT requirement FROM t1 WHERE requirement LIKE '%LAB%'"
    assert steps == [{"sql": "SELECT requirement FROM t1 WHERE requirement LIKE 'LAB'", "error": "matched no row",
                      "mended": "LIKE 'x' -> LIKE '%x%'"}]  # fmt: skip


def test_an_equality_that_matches_no_row_looks_inside_the_cell() -> None:
    result, _, _, steps = run_mended("SELECT requirement FROM t1 WHERE area = 'Compulsory'", courses())
    assert result is not None and [r[0][:6] for r in result.rows] == ["HX2104", "HX3310"]
    assert steps[0]["mended"] == "= 'x' -> LIKE '%x%'"
    # an equality that matches stays as written
    result, _, _, steps = run_mended("SELECT units FROM t1 WHERE area = 'Electives'", courses())
    assert result is not None and result.rows == [(8.0,)] and steps == []


def test_a_column_that_does_not_exist_becomes_the_closest_one() -> None:
    result, error, sql, steps = run_mended("SELECT SUM(T1.unit) FROM t1 AS T1 WHERE T1.area LIKE '%Compulsory%'", courses())
    assert error == "" and result is not None and result.rows == [(6.0,)]
    assert "SUM(units)" in sql and steps[0]["mended"] == "column unit -> units"
    # a name like no column is not guessed: the error stands for the model to see
    result, error, _, _ = run_mended("SELECT zebra FROM t1", courses())
    assert result is None and "no such column: zebra" in error


def test_a_count_of_no_rows_is_mended_then_stands() -> None:
    result, _, sql, steps = run_mended("SELECT COUNT(*) FROM t1 WHERE area = 'Compulsory'", courses())
    assert result is not None and result.rows == [(2,)] and "LIKE '%Compulsory%'" in sql and len(steps) == 1
    result, _, _, steps = run_mended("SELECT COUNT(*) FROM t1 WHERE area = 'Optional'", courses())
    assert result is not None and result.rows == [(0,)] and len(steps) == 1  # nothing else to mend


def test_nothing_to_mend_in_a_refusal() -> None:
    assert repaired("SELECT * FROM t1", "query refused: not authorized", courses()) is None


def test_a_result_from_columns_the_question_does_not_name_is_not_an_answer() -> None:
    from mardoc.agents.tables import query_check

    tables = courses()
    unrelated = run_select("SELECT SUM(units) * 100 / 14 FROM t1", tables)
    why = query_check(read_question("What was the shortfall in growth against the forecast?"), unrelated, tables)
    assert "columns the question does not name" in why and "Units" in why
    named = run_select("SELECT SUM(units) FROM t1 WHERE area LIKE '%Compulsory%'", tables)
    assert query_check(read_question("How many units do the compulsory courses carry in total?"), named, tables) == ""


def test_a_count_or_conditional_sum_of_no_row_matched_nothing() -> None:
    t = courses()
    none_counted = run_select("SELECT COUNT(*) FROM t1 WHERE area = 'Seminars'", t)
    none_summed = run_select("SELECT SUM(CASE WHEN area = 'Seminars' THEN units ELSE 0 END) * 100 / SUM(units) FROM t1", t)
    assert matched_nothing(none_counted) and matched_nothing(none_summed)
    # a sum that is 0 because its cells add to 0 is a result
    assert not matched_nothing(run_select("SELECT SUM(units) - SUM(units) FROM t1", t))
    assert not matched_nothing(run_select("SELECT SUM(CASE WHEN area = 'Electives' THEN units ELSE 0 END) FROM t1", t))


def test_a_text_column_compared_by_order_is_not_an_answer() -> None:
    from mardoc.agents.tables import query_check

    grid = TableGrid(cells=(("Financial year", "Dividend (Rs.)"), ("2001-02", "120"), ("2002-03", "150"), ("2003-04", "175")))
    tables = page_tables(grid)
    assert text_by_order("SELECT SUM(dividend_rs) FROM t1 WHERE financial_year BETWEEN '2002' AND '2003'", tables) == "financial_year"
    assert text_by_order("SELECT SUM(dividend_rs) FROM t1 WHERE financial_year >= '2002'", tables) == "financial_year"
    # a number column compared by order, or a text column by equality, is a plain condition
    assert text_by_order("SELECT financial_year FROM t1 WHERE dividend_rs > 130", tables) == ""
    assert text_by_order("SELECT dividend_rs FROM t1 WHERE financial_year = '2002-03'", tables) == ""
    ranged = run_select("SELECT SUM(dividend_rs) FROM t1 WHERE financial_year BETWEEN '2002' AND '2003'", tables)
    assert ranged.rows == [(150.0,)]  # '2002-03' sorts between the two, '2003-04' after: by spelling
    why = query_check(read_question("What is the total dividend between 2002 and 2003?"), ranged, tables)
    assert "compares the text column financial_year by order" in why
