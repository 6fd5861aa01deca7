"""What a source spec names, parsed once: ``camera:N``, ``synthetic`` (the demo clip, optionally
``synthetic:WxH``, or ``synthetic:WxH@Dm``: the person D metres from the camera), or a path to a photo, a folder of photos or a video.

Every part of HairTint that needs to know whether a source is a camera, live or still, or what to call
it in a message asks a :class:`SourceSpec` instead of looking at the string. The video suffixes that
open are listed here once; file dialogs build their filters from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from core.frames import RunningMode
from core.io.images import IMAGE_SUFFIXES

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm")
KINDS = ("camera", "demo", "video", "image", "folder")
DEMO = "synthetic"


@dataclass(frozen=True)
class SourceSpec:
    """``kind`` is one of :data:`KINDS`. ``live``: frames keep coming (camera, video, demo clip);
    otherwise a still (photo, folder of photos) processed once per Look."""

    text: str
    kind: str
    camera_index: int | None = None
    path: Path | None = None
    size: tuple[int, int] | None = None  # the demo clip's size, when the spec names one
    distance_m: float | None = None  # how far the demo's person is from the camera, when the spec says
    problem: str | None = None  # why it cannot be opened, when that is clear from the text alone

    @property
    def live(self) -> bool:
        return self.kind in ("camera", "video", "demo")

    @property
    def running_mode(self) -> RunningMode:
        """How a pipeline takes this source's frames: VIDEO when live, else IMAGE."""
        return RunningMode.VIDEO if self.live else RunningMode.IMAGE

    @property
    def is_camera(self) -> bool:
        return self.kind == "camera"

    @property
    def is_folder(self) -> bool:
        return self.kind == "folder"

    def describe(self) -> str:
        """A short name for messages: "camera 1", "the demo clip", or the file's name."""
        if self.kind == "camera":
            return f"camera {self.camera_index if self.camera_index is not None else self.text.partition(':')[2]}"
        if self.kind == "demo":
            return "the demo clip"
        return (self.path.name if self.path is not None else "") or self.text

    def __str__(self) -> str:
        return self.text


def parse_spec(spec: str | SourceSpec) -> SourceSpec:
    """The one place a spec string is read."""
    if isinstance(spec, SourceSpec):
        return spec
    text = str(spec).strip()
    lowered = text.lower()
    if lowered == "camera" or lowered.startswith("camera:"):
        number = text.partition(":")[2].strip() or "0"
        if not number.isdigit():
            return SourceSpec(text, "camera", problem=f"{text!r} is not a camera: write camera:0, camera:1, ...")
        return SourceSpec(text, "camera", camera_index=int(number))
    if lowered == DEMO or lowered.startswith(DEMO + ":"):
        size_text = text.partition(":")[2].strip()
        if not size_text:
            return SourceSpec(text, "demo")
        match = re.fullmatch(r"(\d+)\s*[xX]\s*(\d+)(?:\s*@\s*(\d+(?:\.\d+)?)\s*m)?", size_text)
        if not match or (match[3] is not None and not float(match[3]) > 0):
            return SourceSpec(text, "demo", problem=f"{text!r} is not a synthetic size: write synthetic:640x480 "
                                                    "(or synthetic:1920x1080@1m: the person 1 m away)")
        return SourceSpec(text, "demo", size=(int(match[1]), int(match[2])),
                          distance_m=float(match[3]) if match[3] is not None else None)
    path = Path(text).expanduser()
    if text and path.is_dir():
        return SourceSpec(text, "folder", path=path)
    kind = "video" if path.suffix.lower() in VIDEO_SUFFIXES else "image"  # load_image decides the rest
    return SourceSpec(text, kind, path=path)


def camera_spec(index: int) -> SourceSpec:
    return parse_spec(f"camera:{int(index)}")


def file_filter(label: str, suffixes: tuple[str, ...]) -> str:
    """A file dialog filter, e.g. ``Videos (*.mp4 *.avi)``, from the suffixes that really open."""
    return f"{label} ({' '.join('*' + s for s in suffixes)})"


IMAGE_FILTER = file_filter("Photos", IMAGE_SUFFIXES)
VIDEO_FILTER = file_filter("Videos", VIDEO_SUFFIXES)

__all__ = [
    "DEMO",
    "IMAGE_FILTER",
    "IMAGE_SUFFIXES",
    "KINDS",
    "VIDEO_FILTER",
    "VIDEO_SUFFIXES",
    "SourceSpec",
    "camera_spec",
    "file_filter",
    "parse_spec",
]
