import sys

from app.bot import main

sys.exit(main())
