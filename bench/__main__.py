"""``python -m bench [two-bots|compare|cold-start|screen-share] [options]``; without a
subcommand: two-bots (as before subcommands existed, options included:
``python -m bench --seconds 10``)."""

import sys

from bench import cold_start, compare, screen_share, two_bots

COMMANDS = {
    "two-bots": two_bots.main,
    "compare": compare.main,
    "cold-start": cold_start.main,
    "screen-share": screen_share.main,
}

if len(sys.argv) > 1 and sys.argv[1] in COMMANDS:
    command = sys.argv.pop(1)
    sys.argv[0] = f"python -m bench {command}"
    COMMANDS[command]()
else:
    two_bots.main()
