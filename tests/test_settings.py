from pathlib import Path

import pytest
from pydantic import ValidationError

from mardoc.retrieval import index_fingerprint
from mardoc.settings import Settings


def test_defaults_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MARDOC_HOME", str(tmp_path))
    s = Settings()
    assert s.home_dir == tmp_path
    assert s.models_dir == tmp_path / "models"
    assert s.models.chat.startswith("local:")
    assert s.retrieval.dim == "auto"


def test_env_nested_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARDOC_MODELS__CHAT", "openai:qwen")
    monkeypatch.setenv("MARDOC_AGENTS__MAX_ROUNDS", "5")
    s = Settings()
    assert s.models.chat == "openai:qwen"
    assert s.agents.max_rounds == 5


def test_init_arguments_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARDOC_STORE__LIBRARY", "from-env")
    s = Settings(store={"library": "explicit"})
    assert s.store.library == "explicit"


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(models={"nope": 1})


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARDOC_AGENTS__MAX_ROUNDS", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_every_field_is_described() -> None:
    for section in ("models", "store", "ingest", "retrieval", "agents"):
        cls = Settings.model_fields[section].annotation
        for name, field in cls.model_fields.items():  # type: ignore[union-attr]
            assert field.description, f"{section}.{name} has no description"


# a value other than the default for every ingest setting
FLIPPED = {"block_max_chars": 600, "ocr": False, "ocr_min_chars": 10, "ocr_dpi": 300, "max_page_pixels": 1_000_000,
           "figures": False, "tables": False, "table_gate": False, "tables_layout": False,
           "max_pages": 10, "max_chunks": 10, "parse_workers": 2}  # fmt: skip


def test_every_ingest_setting_is_flipped_in_the_fingerprint_test() -> None:
    assert set(FLIPPED) == set(Settings().ingest.model_dump())


@pytest.mark.parametrize("name", sorted(FLIPPED))
def test_the_fingerprint_changes_with_what_is_stored_and_only_with_it(name: str) -> None:
    from mardoc.retrieval.fingerprint import NOT_STORED

    flipped = index_fingerprint(Settings(ingest={name: FLIPPED[name]}))
    if name in NOT_STORED:  # refusing a document or spreading the work stores the same chunks
        assert flipped == index_fingerprint(Settings())
    else:
        assert flipped != index_fingerprint(Settings())


def test_fingerprint_tracks_index_settings_only() -> None:
    base = Settings()
    assert index_fingerprint(base) == index_fingerprint(Settings())
    assert index_fingerprint(Settings(models={"embedder": "hash:256"})) != index_fingerprint(base)
    assert index_fingerprint(Settings(ingest={"block_max_chars": 600})) != index_fingerprint(base)
    # answering settings do not change what is stored
    assert index_fingerprint(Settings(agents={"max_rounds": 2})) == index_fingerprint(base)
