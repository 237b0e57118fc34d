"""The layers of ../shared/DESIGN.md hold: handlers/ and blocks/ never query the database
themselves, and blocks/ sees the store only through modules that hold no SQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SQL_PACKAGES = ("sqlalchemy", "sqlmodel", "psycopg", "sqlite3")


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def is_sql(module: str) -> bool:
    return module.split(".")[0] in SQL_PACKAGES


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).glob("*.py"))


@pytest.mark.parametrize("path", sources("handlers") + sources("blocks"), ids=lambda p: p.name)
def test_handlers_and_blocks_import_no_query_api(path: Path) -> None:
    assert {m for m in imports_of(path) if is_sql(m)} == set(), f"{path} queries by itself"


@pytest.mark.parametrize("path", sources("blocks"), ids=lambda p: p.name)
def test_blocks_see_the_store_only_through_modules_without_sql(path: Path) -> None:
    for module in imports_of(path):
        if module.split(".")[0] == "store":
            store_file = ROOT / (module.replace(".", "/") + ".py")
            assert not {m for m in imports_of(store_file) if is_sql(m)}, f"{path} → {module}"
        assert module.split(".")[0] not in ("handlers", "bot"), f"{path} imports {module}"


def test_the_checks_see_a_query_when_there_is_one(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f():\n    from sqlmodel import select\n    return select\n")
    assert any(is_sql(m) for m in imports_of(sneaky))
