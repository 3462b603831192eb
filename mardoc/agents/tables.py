"""The table step: questions over tables and the document's inventory answered by code first.

The Refiner's slot for the pages that carry tables, after its page judgements and before the
Reflector, over the pages the answer will read (and, when none of
them carries a table and the Explorer found the question of a table's shape, the best-ranked
page that carries one; and when code answers nothing from those pages, code alone tries the
tables of the best-ranked pages not read):
* a count of figures / tables / charts / pages ("how many figures are in the appendix?") is
  counted in the document's inventory (:func:`mardoc.tables.count_answer`), no call;
* a single-value question whose row and column words name one cell of a table on those pages
  is answered by that cell (:func:`mardoc.tables.lookup`), a total or a difference of the
  cells they name by adding or subtracting them (:func:`mardoc.tables.combine`), the total of
  the top N rows by the column it names (:func:`mardoc.tables.top_total`), or of the rows it
  lists (:func:`mardoc.tables.named_total`), the rows a
  numeric condition picks ("which ... more than 6 ...": :func:`mardoc.tables.filter_rows`), no call;
* otherwise, when the question's words are in a table's titles or row labels, the model writes
  one SELECT over all the tables of those pages (their schema and rows, fenced), code runs it
  read-only in a sandbox (:func:`mardoc.tables.run_select`); code mends a query naming a
  missing column or matching no row (:func:`mardoc.tables.run_mended`); a query still failing
  is shown its error and may be rewritten once.
A result is held to account by code before it becomes the draft: it has rows, a count is a
whole number, a numeric question gets a number and a "which / who" question no number, and
every text value is a cell of the tables. The
draft cites the cells that hold the result's values (their boxes on the page), and the rows
of those cells become evidence in the memory (a follow-up in a chat thread reads them). Nothing found,
or a result that fails a check: the Answerer reads the pages as before (the trace says why).
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.llm import budget_left, call, emit, turn_nonce
from mardoc.agents.prompting import fence, load_prompt
from mardoc.agents.refiner import source_of
from mardoc.agents.state import AgentDeps, AgentState, SqlReply
from mardoc.memory import EvidenceMemory
from mardoc.tables import (
    Candidates,
    CodeAnswer,
    QueryResult,
    SqlTable,
    TableQuestion,
    check,
    count_answer,
    inventory,
    label,
    matched_nothing,
    read_question,
    result_answer,
    run_mended,
    solve,
    sql_tables,
    text_by_order,
)
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation
from mardoc.words import words


def table_words(t: SqlTable) -> set[str]:
    """The words of a table's titles, caption and text cells: what a question about it names."""
    text = " ".join(t.titles) + " " + (t.chunk.table.caption if t.chunk.table else "")
    text += " " + " ".join(c for r in t.texts for j, c in enumerate(r) if not t.numeric[j])
    return words(text)


def about_tables(q: TableQuestion, tables: list[SqlTable]) -> bool:
    """Whether the question names what a table holds: two of its content words are in one
    table's titles or row labels (one for a question asking a number or rows by a condition;
    a statement line it names by another name counts as named)."""
    need = 1 if q.answer in ("number", "count") or q.condition else 2
    return any(len((q.words | q.line_words) & table_words(t)) >= need for t in tables)


def query_check(q: TableQuestion, result: QueryResult, tables: list[SqlTable]) -> str:
    """Why the model's query cannot give the answer ("" when it can): it matches no row,
    compares a text column by order, reads no column the question names, or returns text
    that is no cell of the tables."""
    if matched_nothing(result):
        return "the query's condition matched no row (a count or a conditional sum of 0)"
    if column := text_by_order(result.sql, tables):
        return f"the query compares the text column {column} by order (it picks rows by spelling)"
    selected = _selected_titles(result.sql, tables)
    if selected and not any((q.words | q.line_words) & words(title) for title in selected):
        return f"the query reads columns the question does not name ({', '.join(selected)[:120]})"
    cells = {c.strip().lower() for t in tables for r in t.texts for c in r}
    texts = [v for row in result.rows for v in row if isinstance(v, str) and v.strip()]
    foreign = [v for v in texts if v.strip().lower() not in cells]
    if foreign:
        return f"the result holds {foreign[0]!r}, which is no cell of the tables"
    return ""


def _selected_titles(sql: str, tables: list[SqlTable]) -> list[str]:
    """The printed titles of the columns a query's SELECT list reads."""
    m = re.search(r"\bselect\b(.*?)\bfrom\b", sql, re.I | re.S)
    if not m:
        return []
    return [title for t in tables for c, title in zip(t.columns, t.titles, strict=True)
            if re.search(rf"\b{re.escape(c)}\b", m.group(1)) and title]  # fmt: skip


def _cell_citation(t: SqlTable, row: int, col: int) -> Citation:
    c: Chunk = t.chunk
    box = t.box(row, col)
    quote = " | ".join(x for x in t.texts[row] if x)[:200]
    return Citation(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, bbox=box or (c.bboxes[0] if c.bboxes else None),
                    quote=quote, chunk_id=c.id)  # fmt: skip


def _ask_sql(question: str, tables: list[SqlTable], deps: AgentDeps, state: AgentState,
             event: dict[str, Any]) -> tuple[QueryResult | None, dict[str, int]]:  # fmt: skip
    """One SELECT from the model, run; on an error the model sees it once and may rewrite."""
    nonce = turn_nonce(state["question"])
    schema = "\n\n".join(fence(f"table {t.name}", t.schema(), nonce) for t in tables)
    spent = {"calls": 0, "tokens": 0}
    error = ""
    queries: list[dict[str, Any]] = []
    event["queries"] = queries
    for _attempt in range(2):
        if not budget_left(state, deps):
            break
        prompt = load_prompt("table_sql").render(
            question=question, schema=schema,
            error=f"\nYour previous query failed: {error}\nWrite a corrected query.\n" if error else "",
        )  # fmt: skip
        got = call(deps, prompt, SqlReply, nonce, max_tokens=200, agent="tables", what="writing a query over the tables")
        spent["calls"] += got.calls
        spent["tokens"] += got.tokens
        sql = (got.value.sql if got.value is not None else "").strip()
        if got.error or not sql:
            queries.append({"sql": sql, "error": got.error or "the model wrote no query"})
            return None, spent
        result, error, sql, mended = run_mended(sql, tables)
        queries.extend(mended)  # what code mended: a column's name, a LIKE without wildcards
        if result is None:
            if "no such column" in error or "no such table" in error:
                error += "; the tables and their columns are: " + "; ".join(f"{t.name}({', '.join(t.columns)})" for t in tables)
            queries.append({"sql": sql, "error": error})
            continue
        queries.append({"sql": result.sql, "columns": result.columns, "rows": [list(r) for r in result.rows[:10]]})
        return result, spent
    return None, spent


def _count_draft(q: TableQuestion, state: AgentState, deps: AgentDeps, pages: list[tuple[str, int]]) -> tuple[Answer, dict] | None:
    if q.count is None:  # the inventory reads every page of a document: only for a count
        return None
    docs = list(dict.fromkeys([d for d, _ in pages] + list(state.get("docs") or deps.doc_names)))
    for doc in docs[:1] if len(docs) > 1 and pages else docs:
        n_pages = deps.doc_pages.get(doc, 0)
        if not n_pages:
            continue
        inv = inventory(deps.retriever.doc_chunks(doc, ["figure", "table", "page"]), n_pages, deps.doc_outlines.get(doc, []))
        got = count_answer(q.count, inv)
        if got is None:
            continue
        name = deps.doc_names.get(doc, doc)
        cited = [Citation(doc_id=doc, doc_name=name, page=p, quote=f"one of the {got.what} counted") for p in got.pages[:6]]
        text = f"{got.value} {got.what} in {got.scope}, counted in the document's inventory" + (
            f" (on pages {', '.join(str(p) for p in got.pages)})." if got.pages else "."
        )
        return Answer(question=q.text, text=text, short=str(got.value), format="Int", citations=cited), {
            "count": {"what": got.what, "scope": got.scope, "value": got.value, "pages": got.pages}, "solver": "count items"
        }
    return None


def table_pages(deps: AgentDeps, pages: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The pages among ``pages`` (in their order) that carry a table."""
    have = {(c.doc_id, c.page) for d in dict.fromkeys(d for d, _ in pages) for c in deps.retriever.doc_chunks(d, ["table"])}
    return [p for p in pages if p in have]


WIDEN_RANK = 5  # ranked pages whose tables code may answer from when the pages read give nothing


def _on_ranked_tables(q: TableQuestion, tabled: list[tuple[str, int]], deps: AgentDeps, pages: list[tuple[str, int]],
                      event: dict[str, Any]) -> tuple[CodeAnswer, list[SqlTable]] | None:  # fmt: skip
    """For a question code cannot answer from the pages read: the first of the ``WIDEN_RANK``
    best-ranked pages, not read, whose tables code answers from (an answer that passes the
    checks), with those tables. The model writes no query over pages the answer does not read."""
    for page in tabled[:WIDEN_RANK]:
        if page in pages:
            continue
        more = sql_tables(deps.retriever.read_pages([page]))
        got = solve(q, more) if more and about_tables(q, more) else None
        if isinstance(got, CodeAnswer) and not check(q, got):
            event["widened"] = f"code answered nothing from the pages read: page {page[1]} (ranked, carries a table) did"
            return got, more
    return None


def candidate_chunk(c: Candidates) -> Chunk:
    """Cells that fit a question as well as one another, as a small table excerpt for the
    reading call: each cell's row label, column title and value, on the page of its table."""
    first = c.cells[0].table.chunk
    lines = ["| row | column | value |", "|---|---|---|"]
    lines += [f"| {label(h.table, h.row)} | {h.table.titles[h.col]} | {h.value} |" for h in c.cells]
    boxes = tuple(b for h in c.cells if (b := h.table.box(h.row, h.col)) is not None)
    return Chunk(id=f"{first.id}#cells", doc_id=first.doc_id, doc_name=first.doc_name, kind="table", page=first.page,
                 pages=(first.page,), bboxes=boxes or first.bboxes, text="Cells of the table that fit the question:\n" + "\n".join(lines),
                 section=first.section)  # fmt: skip


def query_tables(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    question = state["question"]
    if state.get("table_draft") is not None:  # answered in an earlier round of this turn
        return {}
    if not deps.settings.agents.tables or state.get("absent"):  # off, or the question names what no document has
        return {"table_draft": None}
    q = read_question(question)
    pages = [(str(d), int(p)) for d, p in state.get("answer_pages") or []]  # the Refiner's choice
    event: dict[str, Any] = {"agent": "tables", "round": state.get("round", 0), "question": q.trace()}
    ranked = [(str(d), int(p)) for d, p in state.get("pages_ranked") or []]
    tabled = table_pages(deps, ranked) if q.op and ranked else []
    if q.op and tabled and not set(pages) & set(tabled):
        # an operation code can do, and the pages the answer reads carry no table: the
        # best-ranked page that carries one is queried too (by code first; checked as any)
        extra = next(p for p in tabled if p not in pages)
        event["also"] = f"no page to read carries a table: page {extra[1]} (ranked, carries one) queried too"
        pages = [*pages, extra]
    counted = _count_draft(q, state, deps, pages)
    if counted is not None:
        draft, info = counted
        event.update(info, short=draft.short, note=draft.text)
        emit(event)
        return {"table_draft": draft, "table_question": q.trace(), "trace": [event]}
    tables = sql_tables(deps.retriever.read_pages(pages)) if pages else []
    about = bool(tables) and about_tables(q, tables)
    got = solve(q, tables) if about else None
    if not isinstance(got, CodeAnswer) and q.op:
        widened = _on_ranked_tables(q, tabled, deps, pages, event)
        if widened is not None:
            got, tables = widened
    if got is None and not about:
        return {"table_draft": None, "table_question": q}
    event["tables"] = [f"{t.name}: page {t.chunk.page}, {len(t.rows)} rows, columns {t.columns}" for t in tables]
    if isinstance(got, Candidates):
        event.update(candidates=got.describe(), note="no cell is clearly best: the candidate cells are given to the reading call")
        emit(event)
        return {"table_draft": None, "table_question": q.trace(), "table_cells": [candidate_chunk(got)], "trace": [event]}
    spent = {"calls": 0, "tokens": 0}
    why = ""
    if got is None:
        result, spent = _ask_sql(question, tables, deps, state, event)
        got = result_answer(result, tables, q) if result is not None else None
        why = query_check(q, result, tables) if result is not None and got is not None else ""
    if got is not None and not why:
        why = check(q, got)
    if got is None or why or got.short == NOT_ANSWERABLE:
        event["note"] = f"tables gave no answer ({why or 'no result'}): the pages are read"
        if got is not None:
            event["rejected"] = {"short": got.short, "solver": got.solver, "how": got.how}
        emit(event)
        return {"table_draft": None, "table_question": q.trace(), "trace": [event], **spent}
    by_name = {t.name: t for t in tables}
    cited = [_cell_citation(by_name[r.table], r.row, r.col) for r in got.cells if r.table in by_name][:6]
    draft = Answer(question=question, text=f"{got.short} ({got.how}, page {', '.join(str(c.page) for c in cited[:1])}).",
                   short=got.short, format=got.format, citations=cited)  # type: ignore[arg-type]  # fmt: skip
    memory, event["evidence"] = remember_cells(state, draft, tables, got.how)
    event.update(short=got.short, solver=got.solver, how=got.how, note=f"answered from the tables: {got.how}")
    emit(event)
    return {"table_draft": draft, "table_question": q.trace(), "memory": memory, "trace": [event], **spent}

def remember_cells(state: AgentState, draft: Answer, tables: list[SqlTable], how: str) -> tuple[EvidenceMemory, int]:
    """The evidence memory with the table answer's cells added: one item a cited row (its
    printed cells, verified against the table chunk's text, with the cell's box), the statement
    saying what was computed from it. Returns the memory and how many items it gained."""
    memory = state["memory"].model_copy(deep=True)
    known = len(memory.evidence)
    chunks = {t.chunk.id: t.chunk for t in tables}
    for c in draft.citations:
        chunk = chunks.get(c.chunk_id or "")
        if chunk is None or not c.quote:
            continue
        memory.add_evidence(f"{draft.short}, {how}, from the row: {c.quote}", c.quote, source_of(chunk, c.bbox),
                            state.get("round", 1), chunk.text)  # fmt: skip
    return memory, len(memory.evidence) - known


__all__ = ["about_tables", "candidate_chunk", "query_check", "query_tables", "remember_cells", "table_pages"]
