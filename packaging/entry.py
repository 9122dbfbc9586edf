"""Entry script of the PyInstaller bundle: the same ``main`` as the ``parley`` command."""

import sys

from ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
