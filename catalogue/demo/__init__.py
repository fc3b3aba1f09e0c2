"""A generated sample catalogue for demos, tests and benchmarks (never real data).

`generator.generate()` yields deterministic facility specs from a seed; `loader.load()`
writes them through the catalogue services (idempotent); `loader.load_bulk()` writes
many quickly for benchmarks. The text banks live in `texts*.py`: templates with slots.
"""
