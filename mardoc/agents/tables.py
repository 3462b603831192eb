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

import json
import re
from typing import Any

from langgraph.runtime import Runtime

from mardoc.agents.answerer import answer_pages
from mardoc.agents.llm import budget_left, call, emit, turn_nonce
from mardoc.agents.prompting import fence, load_prompt
from mardoc.agents.questions import content_words
from mardoc.agents.refiner import source_of
from mardoc.agents.state import AgentDeps, AgentState, SqlReply
from mardoc.memory import EvidenceMemory
from mardoc.tables import (
    QueryResult,
    SqlTable,
    asks_count,
    asks_number,
    combine,
    count_answer,
    filter_rows,
    inventory,
    lookup,
    matched_nothing,
    named_total,
    names_condition,
    result_answer,
    run_mended,
    sql_tables,
    text_by_order,
    top_total,
)
from mardoc.types import NOT_ANSWERABLE, Answer, Chunk, Citation

_COUNT_Q = re.compile(r"\bhow many\b", re.I)
_NAME_Q = re.compile(r"^\s*(?:according to [^,]+,\s*)?(?:which|who|whom|whose|name)\b(?!\s+(?:year|month|day|date))", re.I)
_AMOUNT = re.compile(r"\b(?:dollars?|usd|rupees|rs|euros?|amount|money|cost|price|revenue|percent(?:age)?|ratio|share|hours?|average)\b", re.I)


def table_words(t: SqlTable) -> set[str]:
    """The words of a table's titles, caption and text cells: what a question about it names."""
    text = " ".join(t.titles) + " " + (t.chunk.table.caption if t.chunk.table else "")
    text += " " + " ".join(c for r in t.texts for j, c in enumerate(r) if not t.numeric[j])
    return content_words(text)


def about_tables(question: str, tables: list[SqlTable]) -> bool:
    """Whether the question names what a table holds: two of its content words are in one
    table's titles or row labels (one for a question asking a number)."""
    words = content_words(question)
    need = 1 if asks_number(question) or names_condition(question) else 2
    return any(len(words & table_words(t)) >= need for t in tables)


def check_result(question: str, short: str, fmt: str, result: QueryResult | None, tables: list[SqlTable]) -> str:
    """Why a table result cannot be the answer ("" when it can): a count must be a whole
    number, a numeric question a number, a text value must be a cell of the tables, and a
    query must match some row, compare no text column by order, and read a column whose
    title shares a word with the question."""
    if _COUNT_Q.search(question) and not _AMOUNT.search(question) and fmt not in ("Int",):
        return f"the question asks how many, the result {short!r} is not a whole number"
    if asks_number(question) and fmt not in ("Int", "Float"):
        return f"the question asks for a number, the result {short!r} is not one"
    if _NAME_Q.search(question) and not asks_number(question) and fmt in ("Int", "Float"):
        return f"the question asks which or who, the result {short!r} is a number"
    if result is not None and result.sql and matched_nothing(result):
        return "the query's condition matched no row (a count or a conditional sum of 0)"
    if result is not None and result.sql and (column := text_by_order(result.sql, tables)):
        return f"the query compares the text column {column} by order (it picks rows by spelling)"
    if result is not None and result.sql:
        selected = _selected_titles(result.sql, tables)
        words = content_words(question)
        if selected and not any(words & content_words(title) for title in selected):
            return f"the query reads columns the question does not name ({', '.join(selected)[:120]})"
    if result is not None:
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
    grid = c.table
    box = grid.box(row + grid.header_rows, col) if grid is not None else None
    label = " | ".join(x for x in t.texts[row] if x)[:200]
    return Citation(doc_id=c.doc_id, doc_name=c.doc_name, page=c.page, bbox=box or (c.bboxes[0] if c.bboxes else None),
                    quote=label, chunk_id=c.id)  # fmt: skip


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


def _count_draft(question: str, state: AgentState, deps: AgentDeps, pages: list[tuple[str, int]]) -> tuple[Answer, dict] | None:
    if not asks_count(question):  # the inventory reads every page of a document: only for a count
        return None
    docs = list(dict.fromkeys([d for d, _ in pages] + list(state.get("docs") or deps.doc_names)))
    for doc in docs[:1] if len(docs) > 1 and pages else docs:
        n_pages = deps.doc_pages.get(doc, 0)
        if not n_pages:
            continue
        inv = inventory(deps.retriever.doc_chunks(doc, ["figure", "table", "page"]), n_pages, deps.doc_outlines.get(doc, []))
        got = count_answer(question, inv)
        if got is None:
            continue
        name = deps.doc_names.get(doc, doc)
        cited = [Citation(doc_id=doc, doc_name=name, page=p, quote=f"one of the {got.what} counted") for p in got.pages[:6]]
        text = f"{got.value} {got.what} in {got.scope}, counted in the document's inventory" + (
            f" (on pages {', '.join(str(p) for p in got.pages)})." if got.pages else "."
        )
        short = str(got.value)
        return Answer(question=question, text=text, short=short, format="Int", citations=cited), {
            "count": {"what": got.what, "scope": got.scope, "value": got.value, "pages": got.pages}
        }
    return None


def by_code(question: str, tables: list[SqlTable]) -> tuple[tuple[str, str] | None, list[Citation], str] | None:
    """The question answered from ``tables`` by code, no call: the total of the rows it lists,
    the one cell it names, the total of the top N rows or of the cells it names, the rows a
    condition picks. Returns the short answer and format, the cells to cite, and what ran;
    None when no code path fits."""
    listed = named_total(question, tables)  # rows the question lists: never one cell's lookup
    hit = lookup(question, tables) if listed is None else None
    if hit is not None:
        value = hit.table.rows[hit.row][hit.col]
        if hit.magnitude and isinstance(value, float):
            value = abs(value)  # an outflow's amount ("capital expenditure": the purchases of PP&E)
        answered = result_answer(QueryResult("", ["value"], [(value,)]), tables, question)
        return answered, [_cell_citation(hit.table, hit.row, hit.col)], hit.describe()
    combined = listed or top_total(question, tables) or combine(question, tables)
    if combined is not None:
        col = combined.cells[0].table.columns[combined.cells[0].col]
        answered = result_answer(QueryResult("", [col], [(combined.value,)]), tables, question)
        return answered, [_cell_citation(c.table, c.row, c.col) for c in combined.cells][:6], combined.describe()
    picked = filter_rows(question, tables)
    if picked is not None:
        labels = picked.labels()
        if picked.count:
            answered = (str(len(picked.rows)), "Int")
        else:
            answered = (labels[0], "Str") if len(labels) == 1 else (json.dumps(labels, ensure_ascii=False), "List")
        return answered, [_cell_citation(picked.table, i, picked.col) for i in picked.rows][:6], picked.describe()
    return None


WIDEN_RANK = 5  # ranked pages whose tables code may answer from when the pages read give nothing


def _on_ranked_tables(question: str, state: AgentState, deps: AgentDeps, pages: list[tuple[str, int]],
                      event: dict[str, Any]) -> tuple[tuple[tuple[str, str] | None, list[Citation], str], list[SqlTable]] | None:  # fmt: skip
    """For a question of a table's shape that code cannot answer from the pages read: the
    first of the ``WIDEN_RANK`` best-ranked pages, not read, whose tables code answers from (a
    result that passes the checks), with those tables. The model writes no query over pages
    the answer does not read."""
    top = {(str(d), int(p)) for d, p in (state.get("pages_ranked") or [])[:WIDEN_RANK]}
    for page in [(str(d), int(p)) for d, p in state.get("table_pages") or []]:
        if page in pages or page not in top:
            continue
        more = sql_tables(deps.retriever.read_pages([page]))
        got = by_code(question, more) if more and about_tables(question, more) else None
        if got is not None and got[0] is not None and not check_result(question, *got[0], None, more):
            event["widened"] = f"code answered nothing from the pages read: page {page[1]} (ranked, carries a table) did"
            return got, more
    return None


def query_tables(state: AgentState, runtime: Runtime[AgentDeps]) -> dict[str, Any]:
    deps = runtime.context
    question = state["question"]
    if state.get("table_draft") is not None:  # answered in an earlier round of this turn
        return {}
    if not deps.settings.agents.tables or state.get("absent"):  # off, or the question names what no document has
        return {"table_draft": None}
    pages, _ = answer_pages(state, deps)
    event: dict[str, Any] = {"agent": "tables", "round": state.get("round", 0)}
    tabled = [(str(d), int(p)) for d, p in state.get("table_pages") or []]
    if state.get("shape") and tabled and not set(pages) & set(tabled):
        # the question has a table's shape and the pages the answer reads carry no table: the
        # best-ranked page that carries one is queried too (by code first; checked as any)
        extra = next(p for p in tabled if p not in pages)
        event["also"] = f"no page to read carries a table: page {extra[1]} (ranked, carries one) queried too"
        pages = [*pages, extra]
    counted = _count_draft(question, state, deps, pages)
    if counted is not None:
        draft, info = counted
        event.update(info, short=draft.short, note=draft.text)
        emit(event)
        return {"table_draft": draft, "trace": [event]}
    chunks = deps.retriever.read_pages(pages) if pages else []
    tables = sql_tables(chunks)
    about = bool(tables) and about_tables(question, tables)
    got = by_code(question, tables) if about else None
    widened = _on_ranked_tables(question, state, deps, pages, event) if got is None and state.get("shape") else None
    if widened is not None:
        got, tables = widened
    elif not about:
        return {"table_draft": None}
    event["tables"] = [f"{t.name}: page {t.chunk.page}, {len(t.rows)} rows, columns {t.columns}" for t in tables]
    spent = {"calls": 0, "tokens": 0}
    result: QueryResult | None = None
    if got is not None:
        answered, cited, event["lookup"] = got
    else:
        result, spent = _ask_sql(question, tables, deps, state, event)
        answered = result_answer(result, tables, question) if result is not None else None
        by_name = {t.name: t for t in tables}
        cited = [_cell_citation(by_name[n], r, c) for n, r, c in (result.cells if result else [])][:6]
    why = "no result" if answered is None else check_result(question, *answered, result, tables)
    if answered is None or why or answered[0] == NOT_ANSWERABLE:
        event["note"] = f"tables gave no answer ({why}): the pages are read"
        emit(event)
        return {"table_draft": None, "trace": [event], **spent}
    short, fmt = answered
    how = f"looked up {event['lookup']}" if result is None else f"computed by `{result.sql}`"
    draft = Answer(question=question, text=f"{short} ({how}, page {', '.join(str(c.page) for c in cited[:1])}).",
                   short=short, format=fmt, citations=cited)  # type: ignore[arg-type]  # fmt: skip
    memory, event["evidence"] = remember_cells(state, draft, tables, how)
    event.update(short=short, note=f"answered from the tables: {how}")
    emit(event)
    return {"table_draft": draft, "memory": memory, "trace": [event], **spent}


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


__all__ = ["about_tables", "by_code", "check_result", "query_tables", "remember_cells"]
