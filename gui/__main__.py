import sys

from scrubdesk.gui.cli import main

if __name__ == "__main__":  # the import job's spawned parser process re-imports this module
    sys.exit(main())
