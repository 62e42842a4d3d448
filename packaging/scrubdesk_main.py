"""PyInstaller entry script for the frozen `scrubdesk` executable (CLI and GUI)."""

import sys

from scrubdesk.gui.cli import main

if __name__ == "__main__":  # spawned children (import parser) re-enter here; freeze_support() is in main()
    sys.exit(main())
