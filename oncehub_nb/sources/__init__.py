"""Where a key comes from besides the argument, the environment and ``.env``: named
profiles in a file of the user's (``profiles``), the notebook platforms' secret stores
(``platforms``), and the one order every front end searches them in (``search``).

Nothing here imports IPython, ipywidgets, httpx or the sandbox.
"""
