"""The coordinator's version (the installed ``parley`` distribution's)."""

from importlib.metadata import PackageNotFoundError, version

try:
    SERVER_VERSION = version("parley")
except PackageNotFoundError:  # running from a source checkout
    SERVER_VERSION = "0+source"
