"""Work with the OnceHub API from Jupyter and IPython.

The public names are listed once, in ``__init__.pyi``: type checkers read it, and
lazy_loader reads it here, so ``import oncehub_nb`` is cheap and each name loads
its module (and httpx or ipywidgets) only when first used; ``%load_ext
oncehub_nb`` stays fast.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
