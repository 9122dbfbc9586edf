"""Benchmarks of Parley's media (``python -m bench``; see bench/README.md). Not tests."""

__all__: list[str] = []
