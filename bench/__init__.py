"""Benchmarks: the storefront under load (load.py) and the declaration exports (export.py); see README.md."""
