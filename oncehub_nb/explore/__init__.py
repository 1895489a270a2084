"""Exploring the API: the resources table, the endpoint catalog and its checks, request
items, results and their views, the history's view, requests exported as code,
DataFrames and Tab completion's logic. Plain Python,
usable without IPython; ``ipython/`` wraps it (the magic, the progress line, the
completion hook)."""
