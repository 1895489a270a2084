"""The public surface: one list (``__init__.pyi``), every name real, nothing shadowed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest brings tomli on 3.10
    import tomli as tomllib

import oncehub_nb
from oncehub_nb import errors

ROOT = Path(oncehub_nb.__file__).resolve().parent
README = ROOT.parent / "README.md"


def all_submodules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(oncehub_nb.__path__, "oncehub_nb.")]


def error_classes() -> set[type[errors.OnceHubError]]:
    found, todo = set(), [errors.OnceHubError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_public_name_imports_and_belongs_to_the_package():
    assert oncehub_nb.__all__, "the stub lists no names"
    for name in oncehub_nb.__all__:
        value = getattr(oncehub_nb, name)
        if name != "__version__":
            assert value.__module__.startswith("oncehub_nb."), name


def test_dir_is_the_public_list():
    assert dir(oncehub_nb) == sorted(oncehub_nb.__all__)
    assert len(set(oncehub_nb.__all__)) == len(oncehub_nb.__all__)


def test_every_error_class_in_the_tree_is_exported():
    for submodule in all_submodules():
        importlib.import_module(submodule)  # so every subclass anywhere is defined
    exported = {getattr(oncehub_nb, name) for name in oncehub_nb.__all__}
    missing = sorted(cls.__name__ for cls in error_classes() - exported)
    assert missing == []
    assert oncehub_nb.PaymentRequired is errors.PaymentRequired


def drawn_tree(text: str) -> dict[str, str]:
    """Each class drawn in a ``├──``/``└──`` tree, mapped to the class drawn as its parent."""
    parents: dict[str, str] = {}
    stack: list[str] = []  # the names on the path from the root, by depth
    origin = 0  # the column the root is drawn at
    for line in text.splitlines():
        if line.strip() == "OnceHubError":
            stack, origin = ["OnceHubError"], line.index("O")
            continue
        branch = re.search(r"[├└]── (\w+)", line)
        if branch and stack:
            depth = (branch.start() - origin) // 4 + 1
            stack = stack[:depth]
            parents[branch.group(1)] = stack[-1]
            stack.append(branch.group(1))
    return parents


def class_tree() -> dict[str, str]:
    """Each error class mapped to its parent in the OnceHubError family."""
    return {
        cls.__name__: next(b for b in cls.__bases__ if issubclass(b, errors.OnceHubError)).__name__
        for cls in error_classes()
        if cls is not errors.OnceHubError
    }


def test_the_tree_in_the_errors_docstring_is_the_class_tree():
    assert drawn_tree(errors.__doc__ or "") == class_tree()


def test_the_tree_in_the_readme_is_the_class_tree():
    text = README.read_text(encoding="utf-8")
    block = text[text.index("\nOnceHubError\n") : text.index("```", text.index("\nOnceHubError\n"))]
    assert drawn_tree(block) == class_tree()


def test_public_functions_stay_callable_after_every_submodule_is_imported():
    """A submodule named like a public function would replace it on the package."""
    code = (
        "import importlib, pkgutil, oncehub_nb\n"
        "names = [i.name for i in pkgutil.walk_packages(oncehub_nb.__path__, 'oncehub_nb.')]\n"
        "for n in names: importlib.import_module(n)\n"
        "import oncehub_nb as oh\n"
        "bad = [n for n in oh.__all__ if n != '__version__' and not callable(getattr(oh, n))]\n"
        "print(len(names), bad, oh.validate.__module__, oh.client.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    count, rest = done.stdout.split(" ", 1)
    assert int(count) > 20
    assert rest.strip() == "[] oncehub_nb.validation oncehub_nb.session"


def test_no_submodule_shares_a_name_with_a_public_name():
    leaves = {name.rsplit(".", 1)[-1] for name in all_submodules()}
    assert leaves & set(oncehub_nb.__all__) == set()


def test_names_used_in_the_readme_exist():
    text = README.read_text(encoding="utf-8")
    used = set(re.findall(r"\b(?:oh|oncehub_nb)\.([A-Za-z_]\w*)", text))
    used |= set(re.findall(r"^[├└│ ]*[├└]── (\w+)", text, re.M))
    assert {"validate", "client", "OnceHub", "PaymentRequired"} <= used
    submodules = {"sandbox", "webhooks"}  # documented subpackages, not names on the package
    for name in sorted(used - submodules):
        assert name in oncehub_nb.__all__, f"README uses oncehub_nb.{name}"


def test_public_callables_have_docstrings_and_annotations():
    for name in oncehub_nb.__all__:
        value = getattr(oncehub_nb, name)
        if inspect.isfunction(value):
            assert value.__doc__, name
            signature = inspect.signature(value)
            assert signature.return_annotation is not inspect.Signature.empty, name
        elif inspect.isclass(value):
            assert value.__doc__, name


def readme_layers() -> list[str]:
    """The layers drawn in the README's package diagram, top to bottom (``a | b`` joined)."""
    text = README.read_text(encoding="utf-8")
    start = text.index("```\n", text.index("The package, by layer")) + 4
    block = text[start : text.index("```", start)]
    layers = []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            names = line.split("  ")[0].split(" | ")
            layers.append(
                " | ".join(n.strip().removesuffix("/").removesuffix(".py") for n in names)
            )
    return layers


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c["layers"] for c in contracts if c["type"] == "layers")


def test_the_readme_diagram_is_the_import_contract():
    assert readme_layers() == contract_layers()


def test_every_package_module_is_in_a_layer():
    config = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    placed = {n.strip() for layer in contract["layers"] for n in layer.split("|")}
    placed |= set(contract["exhaustive_ignores"])
    children = {name.split(".")[1] for name in all_submodules()}
    children |= {"__main__"}
    assert children - placed == set(), "a module of the package is in no layer"
