"""Every plugin's DOCUMENTATION, EXAMPLES and RETURN parse as YAML (a fast check before ansible-test sanity)."""

import ast
import glob
import os

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The collection's plugins and the ansible-rulebook event sources (galaxy-importer reads their DOCUMENTATION too).
FILES = sorted(glob.glob(os.path.join(REPO, "plugins", "*", "*.py"))
               + glob.glob(os.path.join(REPO, "extensions", "eda", "plugins", "*", "*.py")))


@pytest.mark.parametrize("path", FILES, ids=[os.path.relpath(f, REPO) for f in FILES])
def test_documentation_blocks_parse(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            names = [getattr(t, "id", "") for t in node.targets]
            if any(n in ("DOCUMENTATION", "EXAMPLES", "RETURN") or n.isupper() and n.endswith("MODULE")
                   for n in names):
                yaml.safe_load(node.value.value)
