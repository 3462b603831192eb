"""Tables and the document's inventory as data: values, SQL over tables, and questions over
them answered by code.

The door of the room: ingest uses :func:`header_rows` and :func:`to_markdown` to keep each
table as a :class:`mardoc.types.TableGrid`; the agents read a question once into a
:class:`TableQuestion` (:func:`read_question`), answer it by code with :func:`solve` (a
lookup, a sum, a difference, a rate of change, a standard ratio, the rows a condition
picks) or :func:`count_answer` (the document's inventory), or run the model's query with
:func:`run_mended`, and hold every answer to :func:`check`.
"""

from mardoc.tables.counting import Count, Inventory, count_answer, inventory
from mardoc.tables.lookups import Candidates, CellHit, label
from mardoc.tables.question import FORMULAS, LINES, TableQuestion, question_sentence, read_question
from mardoc.tables.solvers import CellRef, CodeAnswer, check, result_answer, solve
from mardoc.tables.sql import (
    MAX_ROWS,
    QueryRefused,
    QueryResult,
    SqlTable,
    matched_nothing,
    run_mended,
    run_select,
    sql_tables,
    text_by_order,
)
from mardoc.tables.values import (
    CURRENCY,
    Number,
    body,
    column_titles,
    header_rows,
    header_scale,
    is_year,
    numeric_columns,
    parse_number,
    to_markdown,
)

__all__ = [
    "FORMULAS",
    "LINES",
    "MAX_ROWS",
    "Candidates",
    "CellHit",
    "CellRef",
    "CodeAnswer",
    "Count",
    "Inventory",
    "Number",
    "QueryRefused",
    "QueryResult",
    "SqlTable",
    "TableQuestion",
    "body",
    "check",
    "column_titles",
    "count_answer",
    "header_rows",
    "header_scale",
    "inventory",
    "CURRENCY",
    "is_year",
    "label",
    "matched_nothing",
    "numeric_columns",
    "parse_number",
    "question_sentence",
    "read_question",
    "result_answer",
    "run_mended",
    "run_select",
    "sql_tables",
    "solve",
    "text_by_order",
    "to_markdown",
]
