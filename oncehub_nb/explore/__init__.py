"""Exploring the API: the endpoint catalog, request items, results and their views, paging
progress and Tab completion. Plain Python, usable without IPython; ``ipython/`` wraps it."""
