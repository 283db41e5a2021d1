"""Apps depend downward only: api → plans → reports → evidence → assessments → capabilities → accounts
(mnr_portal is the frame).

network and plans sit side by side above reports: neither imports the other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["accounts", "capabilities", "assessments", "evidence", "reports", "plans", "api"]
# Apps beside plans at the top: they import what plans may (reports and below), never plans, and nothing
# below imports them.
BESIDE = {"network": "plans"}


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_no_app_above_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for name, line in imported_apps(path)
        if name in above
    ]
    assert not found, found


@pytest.mark.parametrize(("app", "sibling"), BESIDE.items())
def test_an_app_beside_the_top_imports_neither_its_sibling_nor_anything_above_reports(app, sibling):
    forbidden = {sibling, *LAYERS[LAYERS.index(sibling) + 1 :]}  # and the apps above the sibling (api)
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for name, line in imported_apps(path)
        if name in forbidden
    ]
    assert not found, found
    # And nothing below imports it.
    below = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for layer in LAYERS
        for path in (ROOT / layer).rglob("*.py")
        if "migrations" not in path.parts
        for name, line in imported_apps(path)
        if name == app
    ]
    assert not below, below
