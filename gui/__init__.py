"""Scrubdesk's Qt views and workers. Entry point: :func:`scrubdesk.gui.app.run_gui`.

app.py (QApplication, Qt log bridge) · main_window.py · message_list.py (virtualised table model) ·
message_view.py · import_dialog.py · project_dialogs.py · about.py · tasks.py (the one task runner for
every long job) · settings.py (QSettings) · errors.py (message boxes) · screenshots.py.
Data access goes through ``scrubdesk.core`` only; nothing below this package imports Qt.
"""
