"""``hairtint --self-test``: what a technician runs on a new kiosk (or inside the bundle) to see that
it works: every registered model's checksum, the built-in palette, frames of the demo clip through
the whole pipeline with the default model, and a camera if there is one. One screen, exit 0 or 1.

A missing camera is reported, not a failure: the app still shows photos and the demo clip."""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING

import numpy as np

from core.catalog.palette import default_palette, resolve_color
from core.catalog.registry import Registry
from core.errors import HairTintError
from core.frames import Look
from core.tools.mask_metrics import mask_iou

if TYPE_CHECKING:
    from core.io.sources import OpenedSource

FRAMES = 30
SIZE = (640, 480)
MIN_IOU = 0.6  # the demo clip's hair, found by the default model through the whole pipeline


@dataclass(frozen=True)
class Check:
    status: str  # "ok", "FAILED" or "info" (reported, not a failure)
    name: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"


def check_models(registry) -> list[Check]:
    checks = []
    try:
        default = registry.resolve(None)
    except HairTintError:  # no default to run: the pipeline check says so
        default = None
    for entry in registry.entries:
        label = f"{entry.id}@{entry.version} ({entry.stage}{', default' if entry == default else ''})"
        try:
            entry.verify()
        except HairTintError as exc:
            checks.append(Check("FAILED", f"model {label}", str(exc)))
            continue
        checks.append(Check("ok", f"model {label}", f"{entry.file.name}, sha256 {entry.sha256[:12]}… matches"))
    if not checks:
        checks.append(Check("FAILED", "models", "the registry lists no models"))
    return checks


def check_palette() -> Check:
    try:
        shades = default_palette()
    except HairTintError as exc:
        return Check("FAILED", "palette", str(exc))
    return Check("ok", "palette", f"{len(shades)} built-in shades")


def check_pipeline(registry, frames: int = FRAMES, size: tuple[int, int] = SIZE) -> Check:
    from core.io.sources import SyntheticSource  # lazy: OpenCV, loaded by the check that needs it
    from core.pipeline.engine import PipelineOptions, build_pipeline  # at the call: tests replace build_pipeline

    try:
        entry = registry.resolve(None)
        pipeline = build_pipeline(PipelineOptions(entry=entry))
    except HairTintError as exc:
        return Check("FAILED", "pipeline", f"the default model cannot be loaded: {exc}")
    except Exception as exc:  # noqa: BLE001  no face graphs in a bundle, say: a report line
        return Check("FAILED", "pipeline", f"the pipeline cannot be built: {type(exc).__name__}: {exc}")
    look = Look(shade=resolve_color("Sunlit Amber", default_palette()))
    source = SyntheticSource(*size, frames=frames)
    ious, changed = [], []
    start = time.perf_counter()
    try:
        for frame in iter(source.read, None):
            result = pipeline.process(frame, look)
            ious.append(mask_iou(result.mask > 0.5, source.truth(frame.index)))
            changed.append(float(np.abs(result.pixels.astype(np.int16) - frame.pixels).mean()))
    except Exception as exc:  # noqa: BLE001  any failure in the pipeline is what this check is for
        return Check("FAILED", "pipeline", f"{type(exc).__name__}: {exc}")
    finally:
        pipeline.close()
    wall = time.perf_counter() - start
    iou = float(np.mean(ious[frames // 3:]))  # after the first frames, as the live view settles
    detail = (f"{frames} demo frames at {size[0]}x{size[1]} with {entry.id}@{entry.version}: "
              f"{frames / wall:.0f} frames/s, hair IoU {iou:.2f}")
    if iou < MIN_IOU or min(changed) <= 0.5:
        return Check("FAILED", "pipeline", detail + f" (needs IoU ≥ {MIN_IOU} and a visible recolour)")
    return Check("ok", "pipeline", detail)


def check_camera(list_cameras: Callable[[], list[int]] | None = None,
                 open_camera: Callable[[int], OpenedSource] | None = None) -> Check:
    from core.io.sources import list_cameras as default_list  # lazy: OpenCV, loaded by the check that needs it
    from core.io.sources import open_source  # lazy: OpenCV, loaded by the check that needs it

    found = (list_cameras or default_list)()
    if not found:
        return Check("info", "camera", "none found; the app still shows photos, videos and the demo clip")
    index = found[0]
    try:
        with (open_camera or (lambda i: open_source(f"camera:{i}")))(index) as camera:
            frame = camera.read()
    except HairTintError as exc:
        return Check("FAILED", "camera", f"camera {index} opens but gives no picture: {exc}")
    if frame is None:
        return Check("FAILED", "camera", f"camera {index} opens but gives no picture")
    return Check("ok", "camera", f"camera {index} gives {frame.size[0]}x{frame.size[1]} frames "
                                 f"({len(found)} found: {', '.join(map(str, found))})")


@dataclass(frozen=True)
class SelfTestReport:
    """The checks, and what they ran on: ``version`` (hairtint's), Python's and OpenCV's, and the system."""

    checks: tuple[Check, ...]
    version: str
    python: str
    opencv: str
    system: str

    @classmethod
    def of(cls, checks: Sequence[Check], version: str | None = None) -> SelfTestReport:
        import cv2  # lazy: OpenCV, only for its version

        return cls(tuple(checks), installed_version() if version is None else version, platform.python_version(),
                   cv2.__version__, f"{platform.system()} {platform.machine()}")

    @property
    def failed(self) -> bool:
        return any(c.failed for c in self.checks)

    def table(self) -> str:
        lines = [f"HairTint self-test — hairtint {self.version}, Python {self.python}, OpenCV {self.opencv}, "
                 f"{self.system}", ""]
        lines += [f"{c.status:<7} {c.name:<40} {c.detail}" for c in self.checks]
        failed = [c for c in self.checks if c.failed]
        lines += ["", f"FAILED: {len(failed)} of {len(self.checks)} checks" if failed else f"PASSED: {len(self.checks)} checks"]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"version": self.version, "python": self.python, "opencv": self.opencv, "system": self.system,
                "checks": [{"status": c.status, "name": c.name, "detail": c.detail} for c in self.checks],
                "failed": self.failed}


def run_self_test(registry=None, camera: Callable[[], Check] = check_camera) -> SelfTestReport:
    try:
        registry = registry or Registry.load()  # the source tree's, or the copy an installed wheel carries
    except HairTintError as exc:
        return SelfTestReport.of([Check("FAILED", "models", str(exc))])
    checks = [*check_models(registry), check_palette(), check_pipeline(registry)]
    try:
        checks.append(camera())
    except Exception as exc:  # noqa: BLE001  a camera driver's failure is reported, never the end of the report
        checks.append(Check("FAILED", "camera", f"{type(exc).__name__}: {exc}"))
    return SelfTestReport.of(checks)


def installed_version() -> str:
    try:
        return version("hairtint")
    except Exception:  # noqa: BLE001  run from a source tree that was never installed
        return "unknown"
