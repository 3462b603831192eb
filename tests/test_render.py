from pathlib import Path

from mardoc import Answer, Citation
from mardoc.render import answer_html, locate_quote, render_page_boxes
from mardoc.types import Chunk
from tests.conftest import DEMO_PDF


def test_locate_quote_on_text_layer() -> None:
    box = locate_quote(DEMO_PDF, 4, "The default weight value is 50, and the maximum is 100.")
    assert box is not None and 0 < box[0] < box[2] and 0 < box[1] < box[3] < 792
    assert locate_quote(DEMO_PDF, 4, "words that are nowhere in this page at all") is None


def test_page_boxes_png_and_answer_html(tmp_path: Path) -> None:
    c = Chunk(
        id="x",
        doc_id="d",
        doc_name=DEMO_PDF.name,
        kind="block",
        page=4,
        pages=(4,),
        bboxes=((100, 100, 300, 200),),
        text="t",
    )
    png = render_page_boxes(DEMO_PDF, 4, [c])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    a = Answer(question="Default weight?", text="It is 50.", short="50",
               citations=[Citation(doc_id="d", doc_name=DEMO_PDF.name, page=4, bbox=(129, 271, 530, 293), quote="The default weight value is 50")],
               trace=[{"agent": "tables", "short": "50", "queries": [
                   {"sql": "SELECT weight FROM t1 WHERE pattern = '*.txt'", "error": "matched no row", "mended": "= 'x' -> LIKE '%x%'"},
                   {"sql": "SELECT weight FROM t1 WHERE pattern LIKE '%*.txt%'", "columns": ["weight"], "rows": [[50.0]]}]}])  # fmt: skip
    html = answer_html(a, {"d": DEMO_PDF})
    assert "data:image/png;base64," in html and "The default weight value is 50" in html
    # the query that gave the answer, under the answer, with its rows; the one mended before it
    assert "From the tables" in html and "SELECT weight FROM t1 WHERE pattern LIKE &#x27;%*.txt%&#x27;" in html
    assert "<td>50.0</td>" in html and "mended:" in html
    # an answer the tables did not give shows no table section
    assert "From the tables" not in answer_html(a.model_copy(update={"trace": []}), {"d": DEMO_PDF})
    assert "<script" not in html
