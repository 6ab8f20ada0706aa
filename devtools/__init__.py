"""Tools for developers: synthetic data, page measurements and the load benchmark.

The domain apps never import this app; it may import all of them.
"""
