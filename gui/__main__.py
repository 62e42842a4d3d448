import sys

from scrubdesk.gui.cli import main

sys.exit(main())
