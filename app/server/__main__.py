"""``python -m app.server``: see ``app.server.cli``."""

import sys

from app.server.cli import main

sys.exit(main())
