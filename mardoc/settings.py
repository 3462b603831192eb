"""One settings object for mardoc, read from ``MARDOC_*`` environment variables.

Nested sections use ``__`` as delimiter, e.g. ``MARDOC_MODELS__CHAT=openai:qwen2.5``.
Settings are plain data: :class:`mardoc.Library` wires backends from them
(``mardoc.models.build_chat_model`` / ``build_embedder``), and the index fingerprint that
names an index is computed by ``mardoc.retrieval.index_fingerprint``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelsSettings(_Section):
    """Which chat model and embedder to use, and how to reach them."""

    chat: str = Field(
        "local:qwen2.5-coder-1.5b-instruct",
        description="Chat model as provider:model. Providers: local (llama.cpp GGUF: a bundled "
        "name or a path to a .gguf file), openai (any OpenAI-compatible server), fake (tests).",
    )
    embedder: str = Field(
        "local:embeddinggemma-300m",
        description="Embedder as provider:model. Providers: local (sentence-transformers: a "
        "bundled name, a local folder or a Hugging Face id), hash (deterministic, for tests: "
        "hash:DIM).",
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8000/v1", description="Base URL of the OpenAI-compatible server."
    )
    openai_api_key: str = Field("", description="API key for the OpenAI-compatible server.")
    cache: bool = Field(
        False,
        description="Cache deterministic (temperature 0) LLM calls in a SQLite file under the home "
        "folder, keyed by the model's weights hash, the messages, schema and sampling parameters. "
        "`mardoc eval run` caches unless --no-cache.",
    )
    cache_sampled: bool = Field(False, description="Also cache calls with temperature > 0.")
    timeout_s: float = Field(120.0, gt=0, description="Timeout of one HTTP model call, seconds.")
    max_retries: int = Field(3, ge=0, description="Retries of a failed HTTP call (429/5xx/net).")
    vision: bool = Field(
        False,
        description="The chat model reads images (an OpenAI-compatible VLM): reading calls send each page read "
        "as a picture beside its text, and figure/table crops for questions about them.",
    )
    vision_page_pixels: int = Field(
        1_000_000, ge=50_000, description="Pixel budget of one page picture sent to a vision model."
    )
    vision_crop_pixels: int = Field(
        1_500_000, ge=50_000, description="Pixel budget of one figure or table crop sent to a vision model."
    )
    vision_tokens_per_image: int = Field(
        1200, ge=1, description="Prompt tokens one picture costs the vision model (counted against the budget)."
    )
    vision_max_tokens: int = Field(
        6000, ge=0, description="Prompt tokens of pictures one reading call may send; pages beyond go as text only."
    )
    n_ctx: int = Field(8192, ge=512, description="Context length of the local llama.cpp model.")
    n_threads: int = Field(
        0,
        ge=0,
        description="CPU threads for local models; 0 = all cores, one fewer for an LLM call while other "
        "processes keep a core busy (spinning llama.cpp threads then wait on each other).",
    )
    llama_cpu_variant: str = Field(
        "",
        description="Force a llama.cpp CPU variant (e.g. haswell = AVX2, cascadelake, zen4, x64) instead of the best "
        "one for this CPU, which is chosen at load time.",
    )
    embedder_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How a local embedder runs: onnx (ONNX Runtime, the export made by `mardoc "
        "models install`; same vectors, faster), torch (sentence-transformers), or auto (onnx "
        "when the model folder holds an export, else torch).",
    )
    embedder_int8: bool = Field(
        True,
        description="Run the bundled embedder's int8 variant on ONNX Runtime (made and checked by "
        "`mardoc models install`; ~2x faster, recall within 0.01 on the dev set). Its vectors "
        "differ slightly from fp32, so a library embedded with one is a separate index from the "
        "other. The torch runtime is always fp32; so is a CPU on which the install step found the "
        "int8 vectors drift (its int8 kernels without AVX-512 VNNI saturate): the fp32 export runs.",
    )
    embed_batch_size: int = Field(
        1, ge=1, description="Texts per embedding batch of the torch runtime (1 is fastest on CPU)."
    )
    embed_max_tokens: int = Field(
        512, ge=32, le=2048, description="Tokens of a chunk the embedder reads (longer: cut)."
    )


class StoreSettings(_Section):
    """Where the Qdrant index lives."""

    url: str = Field(
        "",
        description="Qdrant server URL (http://host:6333) or ':memory:' for qdrant-client's "
        "in-process mode. Empty: the embedded Qdrant Edge store under the home folder.",
    )
    api_key: str = Field("", description="Qdrant server API key.")
    library: str = Field("default", description="Name of the document library (one index).")


class IngestSettings(_Section):
    """How PDFs are parsed and chunked."""

    block_max_chars: int = Field(
        1200, ge=200, description="Upper bound of a block chunk's text, in characters."
    )
    ocr: bool = Field(True, description="OCR pages whose text layer is missing or near empty.")
    ocr_min_chars: int = Field(
        50, ge=0, description="A page with fewer text-layer characters than this is OCR'd."
    )
    ocr_dpi: int = Field(150, ge=72, le=600, description="Rendering resolution for OCR.")
    max_pages: int = Field(3000, ge=1, description="Refuse documents with more pages.")
    max_page_pixels: int = Field(
        40_000_000, ge=1, description="Cap on pixels of one rendered page (OCR, crops)."
    )
    max_chunks: int = Field(200_000, ge=1, description="Refuse documents with more chunks.")
    parse_workers: int = Field(
        1,
        ge=0,
        description="Processes that parse the pages of one PDF in parallel; 1 = in-process, "
        "0 = one per CPU core (at most 8). On 2 cores the OCR and layout models already use both "
        "cores, so more processes did not pay (bench/RESULTS.md).",
    )
    figures: bool = Field(True, description="Extract figure chunks with their crops.")
    tables: bool = Field(True, description="Extract tables (as cells and as markdown).")
    table_gate: bool = Field(
        True, description="Send only ruled or grid-like pages to the table finder (off: every page, slower)."
    )
    tables_layout: bool = Field(
        True,
        description="Let PyMuPDF's layout model find and complete tables (unruled ones too; ~0.5 s per ruled page).",
    )


class RetrievalSettings(_Section):
    """Adaptive-dimension hybrid retrieval."""

    low_dim: int = Field(128, description="Matryoshka prefix used for the first-stage search.")
    dim: Literal["auto", "64", "128", "256", "full"] = Field(
        "auto", description="First-stage dimension: fixed or chosen per query (auto)."
    )
    prefetch_factor: int = Field(8, ge=1, description="First stage keeps prefetch_factor * k candidates.")
    hybrid: bool = Field(True, description="Fuse dense and BM25 results with RRF.")
    sparse_weight: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="BM25's weight in the hybrid fusion (the dense ranking weighs 1). 0.25 by the rule in "
        "bench/RESULTS.md: on dev, the best R@3 + R@5 of the weights that lose to dense alone at neither.",
    )
    top_k: int = Field(8, ge=1, description="Chunks returned per search.")
    page_decay: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Page ranking: weight decay of a page's further chunks (0 = best chunk only).",
    )


class AgentsSettings(_Section):
    """The Explorer / Refiner / Reflector loop."""

    max_rounds: int = Field(
        1,
        ge=1,
        description="Explore-refine-reflect rounds per question. 1 by default: with the bundled model a second"
        " round changed 3 of 100 decision answers (1 won, 1 lost, same accuracy) at 14% more calls"
        " (results/RESULTS.md); raise it with a stronger served model.",
    )
    max_llm_calls: int = Field(16, ge=1, description="LLM calls allowed per question.")
    max_tokens: int = Field(60_000, ge=1000, description="Prompt+completion tokens per question.")
    observation_chars: int = Field(
        6000, ge=500, description="Characters of retrieved text shown to the Refiner per round."
    )
    mode: Literal["agents", "rag"] = Field("agents", description="Default answering mode.")
    read_pages: int = Field(
        3, ge=1, le=10, description="Pages read whole by the answering call (rag's context, the Answerer's pages)."
    )
    found: float = Field(
        0.5, ge=0.0, le=1.0,
        description="A page judged to answer with at least this probability counts as found (no further round).",
    )
    abstain_below: float = Field(
        0.0, ge=0.0, le=1.0,
        description="'Not answerable' when no page read was judged to answer with at least this probability.",
    )
    insist_above: float = Field(
        1.0, ge=0.0, le=1.0,
        description="When the answer says 'Not answerable' but a page was judged to answer with at least this "
        "probability, it is asked once more to answer from those pages (1.0: never).",
    )
    narrow_ask: bool = Field(
        True,
        description="When the answer over several pages says 'Not answerable', ask once more over the one page "
        "read that holds most of the question's words (at least narrow_cover of them).",
    )
    narrow_cover: float = Field(
        0.6, ge=0.0, le=1.0,
        description="The share of the question's content words a page must hold to be asked alone (narrow_ask).",
    )
    judge_pages: Literal["auto", "always"] = Field(
        "auto",
        description="The Refiner's page judgements (one prompt evaluation a page): 'auto' makes them only where a "
        "setting in force uses them to decide a route (max_rounds above 1, abstain_below above 0, insist_above "
        "below 1); with the defaults none does, and the answer's cited lines are the turn's evidence instead. "
        "'always' judges every page read (the judged lines then also order the citations).",
    )
    verify_answer: bool = Field(
        True,
        description="The Reflector checks the drafted answer: a name or phrase written on none of the pages "
        "the answer read becomes 'Not answerable' (agents only; numbers and yes/no are not checked).",
    )
    tables: bool = Field(
        True,
        description="Questions over the tables of the pages read and the document's inventory are answered by "
        "code (a cell lookup, a count) or by one SQL query the model writes, run read-only (agents only).",
    )
    rag_context: Literal["pages", "chunks"] = Field(
        "pages",
        description="What rag reads: the best-ranked pages whole (pages) or the top-k chunks (chunks).",
    )


class Settings(BaseSettings):
    """All of mardoc's settings. Read from ``MARDOC_*`` variables; nested with ``__``."""

    model_config = SettingsConfigDict(
        env_prefix="MARDOC_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    home: Path = Field(Path("~/.mardoc"), description="Home folder for models, libraries and runs.")
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    agents: AgentsSettings = Field(default_factory=AgentsSettings)

    @property
    def home_dir(self) -> Path:
        """The home folder, expanded."""
        return self.home.expanduser()

    @property
    def models_dir(self) -> Path:
        return self.home_dir / "models"

    @property
    def libraries_dir(self) -> Path:
        return self.home_dir / "libraries"

    @property
    def llm_cache_path(self) -> Path:
        return self.home_dir / "cache" / "llm-calls.sqlite"
