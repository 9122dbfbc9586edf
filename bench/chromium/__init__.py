"""Chromium as the reference peer of the benchmarks: the page and its driver."""

from bench.chromium.driver import ChromiumError, ChromiumPage

__all__ = ["ChromiumError", "ChromiumPage"]
