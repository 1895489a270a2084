"""Showing values to people: cards, table cells, live outputs, the header line naming where
a result came from, and "shown once" in IPython.

Below every package that shows something (validation, explore, webhooks): it knows
nothing of OnceHub's calls, only how text and HTML are made and put on screen. IPython
is imported only inside the functions that display, never at import time.
"""
