""""Keep this look": on the customer's tap (never otherwise) the window's last picture, before and after,
becomes a look card (``core.tryon.look_card``) saved in the folder the salon chose (``look_card_dir``), and
a preview offers to print it: through the system's print dialog on the desktop, through CUPS's ``lp`` on the
kiosk (``core.io.printing``), and only where a printer is ready. Without a folder nothing is written: the
kiosk says how staff choose one, the desktop asks for one. The kiosk's idle reset (``TryOnState.reset``)
closes the preview and drops the card from memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.errors import HairTintError
from core.frames import Look
from core.io.printing import Cups
from core.tryon.look_card import Card, render_card, save_card
from hairtint_desktop.widgets.video_view import to_qimage


@dataclass
class KeptCard:
    """The card on screen (its pixels and where each picture lies on it), where it was saved, its look."""

    drawn: Card
    path: Path
    look: Look

    @property
    def pixels(self) -> np.ndarray:
        return self.drawn.pixels


def no_folder_message(settings_file) -> str:
    return ("Looks are not kept on this kiosk yet. Staff: choose a folder for the cards in Staff settings, "
            f'Look cards (it is "look_card_dir" in {settings_file}).')


class CardPreview(QDialog):
    """The kept card, where it was saved, and Print (when a printer is ready) and Done."""

    def __init__(self, card: KeptCard, printer: str | None, touch: bool, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("sidePanel")
        self.setWindowTitle("Your look")
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        image = to_qimage(card.pixels).copy()  # the pixmap owns its pixels
        room = parent.size() * 0.8  # leaves room for the line and the buttons below
        self.picture = QLabel(self)
        self.picture.setPixmap(QPixmap.fromImage(image).scaled(room, Qt.AspectRatioMode.KeepAspectRatio,
                                                               Qt.TransformationMode.SmoothTransformation))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.picture)
        self.message = QLabel(f"Your look is kept: {card.path.name}", self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.print_button = QPushButton(f"Print on {printer}" if printer else "Print", self)
        self.print_button.setObjectName("action")
        self.print_button.setVisible(printer is not None)
        self.no_printer = QLabel("No printer connected", self)
        self.no_printer.setVisible(printer is None)
        self.done_button = QPushButton("Done", self)
        self.done_button.setObjectName("toggle")
        self.done_button.clicked.connect(self.accept)
        for widget in (self.print_button, self.no_printer, self.done_button):
            widget.setMinimumHeight(64 if touch else 36)
            row.addWidget(widget)
        layout.addLayout(row)

    def say(self, text: str) -> None:
        self.message.setText(text)


class KeepLook(QObject):
    """The window's "Keep this look": the card kept last (``card``) and its preview, until Done or a reset."""

    kept = Signal(str)  # the card's path
    printed = Signal(str)  # the printer it went to

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.card: KeptCard | None = None
        self.preview: CardPreview | None = None
        self.cups = Cups()  # the kiosk's printers (tests give it their own command runner)
        self.printers: Callable[[], list[str]] = QPrinterInfo.availablePrinterNames  # the desktop's
        self.ask_printer: Callable[[], QPrinter | None] = self._ask_printer
        self.ask_folder: Callable[[], str | None] = self._ask_folder
        window.state.events.reset.connect(lambda _change: self.forget())

    @property
    def kiosk(self) -> bool:
        return not self.window.state.kiosk.files

    # ---- keeping ---------------------------------------------------------------------------------
    def folder(self) -> str | None:
        """The folder the salon chose, when it is there; on the desktop, else one asked for (and saved)."""
        chosen = self.window.settings.look_card_dir
        if chosen and Path(chosen).is_dir():
            return chosen
        if self.kiosk:
            text = (f"The folder for kept looks, {chosen}, is not there: ask a member of staff." if chosen
                    else no_folder_message(self.window.session.settings_file))
            self.window.banner.show_message(text, "info")
            return None
        return self.choose_folder()

    def choose_folder(self) -> str | None:
        """Ask for the folder the cards go to (desktop only) and keep it in the settings."""
        folder = self.ask_folder() if not self.kiosk else None
        if folder:
            self.window.apply_settings(self.window.settings.with_(look_card_dir=folder))
        return folder

    def keep(self) -> Path | None:
        """Save the card of the picture on screen and show it. Called only from the customer's tap."""
        window = self.window
        result, info = window.last_result, window.last_info
        if result is None:
            window.banner.show_message("There is no picture to keep yet.", "info")
            return None
        folder = self.folder()
        if folder is None:
            return None
        look = info.looks[0] if info is not None and info.looks else window.state.look
        when = window.now()
        card = render_card(result.frame.pixels, result.pixels, look, when)
        try:
            path = save_card(card, folder, look, when)
        except HairTintError as exc:
            window.banner.show_message(str(exc), "error")
            return None
        self.forget()
        self.card = KeptCard(card, path, look)
        self._show(self.card)
        self.kept.emit(str(path))
        return path

    def _show(self, card: KeptCard) -> None:
        printer = self.cups.printer() if self.kiosk else next(iter(self.printers()), None)
        preview = CardPreview(card, printer, touch=self.kiosk, parent=self.window)
        preview.print_button.clicked.connect(lambda: self.print_card(printer))
        preview.finished.connect(lambda _code, shown=preview: self._closed(shown))
        self.preview = preview
        preview.open()

    # ---- printing --------------------------------------------------------------------------------
    def print_card(self, printer: str | None = None) -> bool:
        """Print the card on screen: with ``lp`` on ``printer`` (kiosk) or through the print dialog."""
        card, preview = self.card, self.preview
        if card is None or preview is None:
            return False
        if self.kiosk:
            if printer is None:
                return False
            error = self.cups.print_file(card.path, printer)
        else:
            chosen = self.ask_printer()
            if chosen is None:
                return False
            printer = chosen.printerName() or chosen.outputFileName()
            error = paint_card(chosen, to_qimage(card.pixels))
        preview.say(error or f"Sent to {printer}.")
        if error is None:
            preview.print_button.setEnabled(not self.kiosk)  # a kiosk prints each card once
            self.printed.emit(printer)
        return error is None

    def _ask_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.preview or self.window)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _ask_folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self.window, "Choose where kept looks are saved",
                                                self.window.settings.look_card_dir or str(Path.home())) or None

    # ---- forgetting ------------------------------------------------------------------------------
    def forget(self) -> None:
        """Close the preview and drop the card (the idle reset, Done, or a new card)."""
        preview, self.preview, self.card = self.preview, None, None
        if preview is not None:
            preview.reject()
            preview.deleteLater()

    def _closed(self, preview: CardPreview) -> None:
        if preview is self.preview:
            self.forget()


def paint_card(printer: QPrinter, image: QImage) -> str | None:
    """Draw ``image`` as large as fits the printer's page; None, or why it could not print."""
    painter = QPainter()
    if not painter.begin(printer):
        return "The printer could not be opened."
    try:
        area = painter.viewport()
        size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        painter.setViewport(area.x() + (area.width() - size.width()) // 2,
                            area.y() + (area.height() - size.height()) // 2, size.width(), size.height())
        painter.setWindow(image.rect())
        painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return None


__all__ = ["CardPreview", "KeepLook", "KeptCard", "no_folder_message", "paint_card"]
