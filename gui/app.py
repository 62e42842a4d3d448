"""GUI entry point: the QApplication, Qt's own messages routed into Python logging, the main window.

Logging handlers are configured by the caller (the CLI); this module only adds the Qt message bridge.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from scrubdesk.gui.about import APP_NAME, scrubdesk_version
from scrubdesk.gui.appearance import apply_theme
from scrubdesk.gui.main_window import MainWindow
from scrubdesk.gui.resources import app_icon
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import TaskRunner

log = logging.getLogger(__name__)
qt_log = logging.getLogger("scrubdesk.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Harmless platform chatter, logged at DEBUG so it does not look like a problem.
_QUIET = ("This plugin does not support propagateSizeHints()",)


def _qt_message_handler(msg_type: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = logging.DEBUG if message in _QUIET else _QT_LEVELS.get(msg_type, logging.WARNING)
    qt_log.log(level, "[%s] %s", context.category or "qt", message)


def install_qt_message_handler() -> None:
    """Send qDebug/qWarning/... to the ``scrubdesk.qt`` logger instead of stderr."""
    qInstallMessageHandler(_qt_message_handler)


def create_application() -> QApplication:
    """The QApplication (reused if one exists, e.g. under pytest-qt), named for QSettings."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(scrubdesk_version())
    app.setWindowIcon(app_icon())
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # one readable file on every platform
    install_qt_message_handler()
    return app


def run_gui(project_path: Path | None = None, *, exit_after_ms: int | None = None) -> int:
    """Show the main window, open ``project_path`` if given, run the event loop; return the exit code.

    ``exit_after_ms`` closes the window and quits after that many milliseconds (smoke tests).
    """
    app = create_application()
    runner = TaskRunner()
    settings = AppSettings()
    apply_theme(app, settings.theme())
    window = MainWindow(settings, runner)
    window.show()
    if project_path is not None:
        # After the loop starts, so an error box from a failed open has a running application behind it.
        QTimer.singleShot(0, lambda: window.open_project(Path(project_path)))
    if exit_after_ms is not None:
        QTimer.singleShot(exit_after_ms, app.quit)  # closes the windows too (QGuiApplication.quit)
    log.info("GUI started")
    code = app.exec()
    if window.isVisible():
        window.close()  # saves the layout, cancels and waits for running jobs
    runner.shutdown()
    window.deleteLater()
    # Closing the last window may have posted a Quit event as well; left queued, it would end the next
    # event loop of a caller that keeps the QApplication (tests, a host application) at once.
    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
    log.info("GUI exited with code %d", code)
    return int(code)
