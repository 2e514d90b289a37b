"""The benchmarks behind ``tools/analysis/benchmark.py``.

One module per subcommand, each with ``add_arguments(parser)`` and
``run(args)``; ``common`` holds what they share (the demo run they time,
step timing, A/B figures, output as text or one JSON line).
"""
