"""The shape of the plugins' code (issue 12): short functions, thin callback hooks, no code copied between files.

Each file is a test case of its own, so that a failure names the file and what in it is too long or copied.
"""

import ast
import glob
import os
import re

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The collection's plugins, and the event source plugins of ansible-rulebook (extensions/eda/plugins/).
PLUGINS = sorted(glob.glob(os.path.join(REPO, "plugins", "**", "*.py"), recursive=True)
                 + glob.glob(os.path.join(REPO, "extensions", "eda", "plugins", "**", "*.py"), recursive=True))
CALLBACKS = sorted(glob.glob(os.path.join(REPO, "plugins", "callback", "*.py")))
MODULES = sorted(glob.glob(os.path.join(REPO, "plugins", "modules", "*.py")))
NOT_API_LAYER = [path for path in PLUGINS if os.sep + "_api" + os.sep not in path]
# A string that starts like a REST path of PagerDuty's: "/incidents", "/users/%s", "/v2/enqueue", ...
REST_PATH = re.compile(r"^/(?:v\d/|[a-z_]+(?:/|$))")
MAX_FUNCTION_LINES = 50         # from ``def`` to the last line of the body, docstring included
MAX_CALLBACK_MODULE_LINES = 200
COPY_LINES = 6                  # this many consecutive lines of code found in two files are a copied block
DOC_CONSTANTS = ("DOCUMENTATION", "EXAMPLES", "RETURN")


def _relative(paths):
    return [os.path.relpath(path, REPO) for path in paths]


def _tree(path):
    with open(path, encoding="utf-8") as handle:
        return ast.parse(handle.read(), path)


def long_functions(path, limit=MAX_FUNCTION_LINES):
    """``name (N lines, line L)`` of each function or method in the file longer than ``limit`` lines."""
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append("%s (%d lines, line %d)" % (node.name, length, node.lineno))
    return found


def long_callback_modules(path, limit=MAX_CALLBACK_MODULE_LINES):
    """``CallbackModule (N lines)`` when the file's CallbackModule class is longer than ``limit`` lines."""
    return ["%s (%d lines)" % (node.name, node.end_lineno - node.lineno + 1) for node in _tree(path).body
            if isinstance(node, ast.ClassDef) and node.name == "CallbackModule"
            and node.end_lineno - node.lineno + 1 > limit]


def _not_code(tree):
    """The line numbers of docstrings, the documentation constants and imports: text that may repeat."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", None) in DOC_CONSTANTS for t in node.targets):
            lines.update(range(node.lineno, node.end_lineno + 1))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def code_lines(path):
    """The file's lines of code, stripped, with their numbers: no blank lines, comments, docstrings, imports or
    lines of closing brackets only."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    skipped = _not_code(ast.parse(source, path))
    lines = []
    for number, line in enumerate(source.splitlines(), 1):
        text = re.sub(r"\s+#.*$", "", line).strip()
        if number not in skipped and text and not text.startswith("#") and not re.match(r"^[)\]},:]+$", text):
            lines.append((number, text))
    return lines


def _blocks(path, size=COPY_LINES):
    lines = code_lines(path)
    for start in range(len(lines) - size + 1):
        window = lines[start:start + size]
        yield window[0][0], "\n".join(text for _number, text in window)


def copied_blocks(path, others, size=COPY_LINES):
    """``line L: also in F`` for each block of ``size`` lines of code of the file found in one of ``others``."""
    elsewhere = {}
    for other in others:
        if other != path:
            for _number, block in _blocks(other, size):
                elsewhere.setdefault(block, os.path.relpath(other, REPO))
    found, last = [], -size
    for number, block in _blocks(path, size):
        if block in elsewhere and number >= last + size:     # (one report per copied stretch)
            found.append("line %d: also in %s" % (number, elsewhere[block]))
            last = number
    return found


@pytest.mark.parametrize("path", PLUGINS, ids=_relative(PLUGINS))
def test_no_function_is_longer_than_50_lines(path):
    found = long_functions(path)
    assert not found, "longer than %d lines: %s" % (MAX_FUNCTION_LINES, ", ".join(found))


@pytest.mark.parametrize("path", CALLBACKS, ids=_relative(CALLBACKS))
def test_callback_module_holds_only_hooks_and_wiring(path):
    found = long_callback_modules(path)
    assert not found, "longer than %d lines: %s" % (MAX_CALLBACK_MODULE_LINES, ", ".join(found))


@pytest.mark.parametrize("path", PLUGINS, ids=_relative(PLUGINS))
def test_no_block_of_code_is_copied_from_another_plugin_file(path):
    found = copied_blocks(path, PLUGINS)
    assert not found, "%d lines of code copied: %s" % (COPY_LINES, "; ".join(found))


def rest_paths(path):
    """``line L: '/path'`` for each string of code in the file that is a REST path (docs and docstrings aside)."""
    tree = _tree(path)
    skipped = _not_code(tree)
    found = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.lineno not in skipped
             and REST_PATH.match(node.value)]
    return ["line %d: %r" % item for item in sorted(found)]


@pytest.mark.parametrize("path", NOT_API_LAYER, ids=_relative(NOT_API_LAYER))
def test_only_the_api_layer_formats_rest_paths(path):
    found = rest_paths(path)
    assert not found, "REST paths outside plugins/module_utils/_api/: %s" % ", ".join(found)


def test_the_checks_find_what_they_look_for(tmp_path):
    long_one = tmp_path / "long.py"
    long_one.write_text("def short():\n    return 1\n\n\ndef long():\n" + "    x = 1\n" * 50 + "\n\n"
                        "class CallbackModule(object):\n" + "    y = 2\n" * 200)
    assert long_functions(str(long_one)) == ["long (51 lines, line 5)"]
    assert long_callback_modules(str(long_one)) == ["CallbackModule (201 lines)"]
    block = "".join("    total += %d  # step %d\n" % (n, n) for n in range(COPY_LINES))
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    first.write_text('"""Doc."""\nimport os\n\n\ndef add(total):\n' + block + "    return total\n")
    second.write_text('"""Doc."""\nimport os\n\n\ndef plus(total):\n    # the same sums\n' + block + "    return 0\n")
    assert copied_blocks(str(first), [str(first), str(second)]) == ["line 6: also in %s" % os.path.relpath(
        str(second), REPO)]
    assert copied_blocks(str(first), [str(first), str(long_one)]) == []
    paths = tmp_path / "paths.py"
    paths.write_text('"""Calls /users."""\nURL = "https://api.pagerduty.com"\n\n\ndef read(client, i):\n'
                     '    client.get("/incidents/%s/notes" % i)\n    return client.get("/users")\n')
    assert rest_paths(str(paths)) == ["line 6: '/incidents/%s/notes'", "line 7: '/users'"]
