"""Tables and the document's inventory as data: values, SQL over tables, lookups and counts by code.

The door of the room: ingest uses :func:`header_rows` and :func:`to_markdown` to keep each
table as a :class:`mardoc.types.TableGrid`; the agents query tables with :func:`lookup` and
:func:`run_select` and count with :func:`count_answer`.
"""

from mardoc.tables.counting import Count, Inventory, asks_count, count_answer, inventory
from mardoc.tables.lookups import (
    CellHit,
    Filtered,
    asks_number,
    filter_rows,
    lookup,
    names_condition,
    question_shape,
    result_answer,
)
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
from mardoc.tables.totals import Combined, combine, named_total, top_total
from mardoc.tables.values import (
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
    "MAX_ROWS",
    "CellHit",
    "Combined",
    "Filtered",
    "combine",
    "filter_rows",
    "Count",
    "asks_count",
    "asks_number",
    "Inventory",
    "QueryRefused",
    "QueryResult",
    "SqlTable",
    "count_answer",
    "inventory",
    "lookup",
    "names_condition",
    "question_shape",
    "result_answer",
    "named_total",
    "top_total",
    "matched_nothing",
    "run_mended",
    "run_select",
    "sql_tables",
    "text_by_order",
    "Number",
    "body",
    "column_titles",
    "header_rows",
    "header_scale",
    "is_year",
    "numeric_columns",
    "parse_number",
    "to_markdown",
]
