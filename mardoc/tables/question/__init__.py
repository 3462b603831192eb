"""A question read once into a typed record (:mod:`mardoc.tables.question.record`), with the
metrics it defines itself (:mod:`mardoc.tables.question.definitions`): the only code of the
table step that reads a question's wording."""

from mardoc.tables.question.definitions import Definition, Ref, Term, read_definitions
from mardoc.tables.question.lines import FORMULAS, LINES, Formula, Line, line_keys
from mardoc.tables.question.record import (
    Condition,
    ItemCount,
    TableQuestion,
    question_sentence,
    read_question,
)

__all__ = [
    "FORMULAS",
    "LINES",
    "Condition",
    "Definition",
    "Formula",
    "ItemCount",
    "Line",
    "Ref",
    "TableQuestion",
    "Term",
    "line_keys",
    "question_sentence",
    "read_definitions",
    "read_question",
]
