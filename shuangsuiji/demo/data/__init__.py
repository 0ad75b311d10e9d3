"""Reference data the demo generator draws from: divisions, industries, departments, the item list.

Plain Python literals, no Django: the engine benchmarks import the generator too.
"""
