"""Every environment variable the code reads is in README's table of environment variables, and nothing else is."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The modules that read configuration from the environment: Django's settings and gunicorn's.
CONFIGURATION_MODULES = [ROOT / "atrocity_watch" / "settings.py", ROOT / "gunicorn.conf.py"]
ENV_HELPERS = {"env_bool", "env_int", "env_list"}


def _is_os_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def _read_name(node: ast.AST) -> str | None:
    """The variable name when `node` reads one from the environment by a literal name, else None."""
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        key = node.slice
    elif isinstance(node, ast.Call) and node.args:
        func = node.func
        helper = isinstance(func, ast.Name) and func.id in ENV_HELPERS
        environ_get = isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value)
        getenv = isinstance(func, ast.Attribute) and func.attr == "getenv" and getattr(func.value, "id", None) == "os"
        if not (helper or environ_get or getenv):
            return None
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def environment_reads(source: str) -> set[str]:
    return {name for node in ast.walk(ast.parse(source)) if (name := _read_name(node))}


def documented_variables() -> set[str]:
    """The names in the first column of README's "Environment variables" table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Environment variables\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split(" | ", 1)[0])}


def test_the_reader_finds_every_way_the_code_reads_the_environment():
    """The check below would miss nothing: helpers, os.environ.get, os.environ[...] and os.getenv all count."""
    source = (
        'A = env_int("ONE", 1)\nB = os.environ.get("TWO", "")\nC = os.environ["THREE"]\nD = os.getenv("FOUR")\n'
        'E = env_bool(name, False)\nF = settings.get("NOT_THE_ENVIRONMENT")\n'
    )
    assert environment_reads(source) == {"ONE", "TWO", "THREE", "FOUR"}


def test_every_environment_variable_the_code_reads_is_documented_in_the_readme():
    read = set().union(*(environment_reads(module.read_text()) for module in CONFIGURATION_MODULES))
    assert {"API_BULK_MAX_ROWS", "SECURE_HSTS_PRELOAD", "WEB_CONCURRENCY"} <= read  # the reader sees both modules
    assert sorted(read - documented_variables()) == []


def test_the_readme_documents_no_environment_variable_the_code_no_longer_reads():
    read = set().union(*(environment_reads(module.read_text()) for module in CONFIGURATION_MODULES))
    assert sorted(documented_variables() - read) == []
