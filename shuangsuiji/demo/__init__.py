"""Demo Baoding and the synthetic populations of the benchmarks.

``generator`` is pure Python (the engine benchmarks import it without Django); ``services`` stores a
population in the database and ``seed_demo`` is its command-line face.
"""
