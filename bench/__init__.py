"""On-demand benchmarks; each module runs with `python -m bench.<name>`."""
