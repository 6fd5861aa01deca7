"""Dialogs: choose camera and resolution; edit the settings."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.catalog.config import ROLLOUT_STAGES, KioskSettings, Settings
from core.io.sources import list_cameras
from core.tryon.session import Session

RESOLUTIONS = [(640, 480), (800, 600), (1280, 720), (1920, 1080)]


def _fill_resolutions(combo: QComboBox, current: tuple[int, int]) -> None:
    options = list(RESOLUTIONS)
    current = (current[0], current[1])  # a list, as the settings file holds it, compares as a tuple
    if current not in options:
        options.append(current)
    for w, h in options:
        combo.addItem(f"{w} × {h}", f"{w}x{h}")  # string data: Qt compares it reliably in findData
    combo.setCurrentIndex(options.index(current))


def resolution_of(combo: QComboBox) -> tuple[int, int]:
    w, h = str(combo.currentData()).split("x")
    return int(w), int(h)


def list_cameras_safe() -> list[tuple[int, str]]:
    """(index, label) of the cameras core finds; an empty list when none (or when probing fails)."""
    try:
        found = list_cameras()
    except Exception:  # noqa: BLE001  no camera list: the dialog offers none
        return []
    return [(index, f"Camera {index}") for index in found]


class CameraDialog(QDialog):
    """Pick a camera index and a resolution."""

    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 cameras: Callable[[], list[tuple[int, str]]] = list_cameras_safe):
        super().__init__(parent)
        self.setWindowTitle("Choose camera")
        form = QFormLayout()
        self.camera = QComboBox(self)
        found = cameras()
        if not found:
            self.camera.addItem("No camera detected — try camera 0", 0)
            for i in range(1, 4):
                self.camera.addItem(f"Camera {i}", i)
        for index, label in found:
            self.camera.addItem(f"{label} (camera:{index})", index)
        at = self.camera.findData(settings.camera_index)
        self.camera.setCurrentIndex(max(0, at))
        form.addRow("Camera", self.camera)
        self.resolution = QComboBox(self)
        _fill_resolutions(self.resolution, settings.resolution)
        form.addRow("Resolution", self.resolution)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def choice(self) -> tuple[int, tuple[int, int]]:
        return int(self.camera.currentData()), resolution_of(self.resolution)


def stable_models() -> list[tuple[str, str]]:
    """(``id@version``, label) of the stable models in the registry, so each choice is the version it
    shows (several versions share an id); empty when the registry can't be read."""
    try:
        registry = Session().registry
        return [(f"{e.id}@{e.version}", f"{e.id} {e.version}") for e in registry.stable()]
    except Exception:  # noqa: BLE001  no registry: the dialog offers no model
        return []


class SettingsDialog(QDialog):
    """Edit every setting. ``kiosk``: no file browser buttons (a kiosk shows no file dialogs)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, kiosk: bool = False,
                 models: Callable[[], list[tuple[str, str]]] = stable_models):
        super().__init__(parent)
        self.setWindowTitle("HairTint settings")
        self._settings = settings
        form = QFormLayout()
        self.camera = QSpinBox(self)
        self.camera.setRange(0, 255)
        self.camera.setValue(settings.camera_index)
        form.addRow("Camera index", self.camera)
        self.resolution = QComboBox(self)
        _fill_resolutions(self.resolution, settings.resolution)
        form.addRow("Resolution", self.resolution)
        self.palette_file = QLineEdit(settings.palette_file or "", self)
        self.palette_file.setPlaceholderText("built-in palette")
        form.addRow("Palette file", self._with_browse(self.palette_file, kiosk, folder=False))
        self.overlay = QCheckBox("Show the statistics overlay", self)
        self.overlay.setChecked(settings.overlay)
        form.addRow("", self.overlay)
        self.model = QComboBox(self)
        self.model.addItem("Default stable model", None)
        choices = models()
        for model_id, label in choices:
            self.model.addItem(label, model_id)
        if settings.model and self.model.findData(settings.model) < 0:
            # an id without a version (what earlier versions of this dialog saved) runs its newest stable version
            plain = "@" not in settings.model and any(value.startswith(f"{settings.model}@") for value, _ in choices)
            self.model.addItem(f"{settings.model} (newest stable)" if plain else settings.model, settings.model)
        self.model.setCurrentIndex(max(0, self.model.findData(settings.model)))
        form.addRow("Model", self.model)
        self.rollout = QComboBox(self)
        for stage, percent in ROLLOUT_STAGES.items():
            self.rollout.addItem(f"{stage} ({percent} %)", stage)
        self.rollout.setCurrentIndex(self.rollout.findData(settings.rollout_stage))
        self.rollout.setToolTip("Rollout stage: the share of installations that try experimental models "
                                "(HAIRTINT_ROLLOUT_STAGE overrides it)")
        form.addRow("Experimental rollout", self.rollout)
        self.colour_beard = QCheckBox("Colour a beard too", self)
        self.colour_beard.setChecked(settings.colour_beard)
        self.colour_beard.setToolTip("Off: the face below the nose keeps its own colour")
        form.addRow("", self.colour_beard)
        self.snapshot_dir = QLineEdit(settings.snapshot_dir or "", self)
        self.snapshot_dir.setPlaceholderText("asked at the first snapshot")
        form.addRow("Snapshot folder", self._with_browse(self.snapshot_dir, kiosk, folder=True))
        self.idle = QDoubleSpinBox(self)
        self.idle.setRange(5, 24 * 3600)
        self.idle.setDecimals(0)
        self.idle.setSuffix(" s")
        self.idle.setValue(settings.kiosk.idle_reset_s)
        form.addRow("Kiosk idle reset", self.idle)
        self.pin = QLineEdit(settings.kiosk.pin or "", self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText("none: settings locked in kiosk mode")
        form.addRow("Kiosk PIN", self.pin)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.button_box = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _with_browse(self, edit: QLineEdit, kiosk: bool, folder: bool) -> QWidget:
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        if not kiosk:
            browse = QPushButton("Browse…", holder)

            def pick():
                if folder:
                    path = QFileDialog.getExistingDirectory(self, "Choose a folder", edit.text())
                else:
                    path, _ = QFileDialog.getOpenFileName(self, "Choose a palette file", edit.text(),
                                                          "Palette (*.json)")
                if path:
                    edit.setText(path)

            browse.clicked.connect(pick)
            row.addWidget(browse)
        return holder

    def settings(self) -> Settings:
        return self._settings.with_(
            camera_index=self.camera.value(),
            resolution=resolution_of(self.resolution),
            palette_file=self.palette_file.text().strip() or None,
            overlay=self.overlay.isChecked(),
            model=self.model.currentData(),
            rollout_stage=str(self.rollout.currentData()),
            colour_beard=self.colour_beard.isChecked(),
            snapshot_dir=self.snapshot_dir.text().strip() or None,
            kiosk=KioskSettings(pin=self.pin.text() or None, idle_reset_s=float(self.idle.value())),
        )
