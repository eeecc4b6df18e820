"""The simulator's layout stays as tests/pdsim/README.md describes it."""

import ast
import pathlib

import pdsim

ROOT = pathlib.Path(pdsim.__file__).resolve().parent
LONGEST = 50


def functions():
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                yield path.relative_to(ROOT), node, node.end_lineno - start + 1


def test_no_function_is_longer_than_fifty_lines():
    long = ["%s:%d %s (%d lines)" % (path, node.lineno, node.name, length)
            for path, node, length in functions() if length > LONGEST]
    assert long == []


def test_the_model_knows_nothing_of_http():
    for path in sorted((ROOT / "model").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith(("server", "api", "http")), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("http") for alias in node.names), path.name
