"""The layout shows the architecture: imports point one way, and the pure layers never read the clock."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "obligations"
LAYERS = ["domain", "terms", "rules", "application", "alerts", "bootstrap", "interfaces"]
ALLOWED = {
    "domain": {"domain"},
    "terms": {"domain", "terms"},
    "rules": {"domain", "terms", "rules"},
    "application": {"domain", "terms", "rules", "application"},
    "alerts": {"domain", "terms", "rules", "application", "alerts"},
    "bootstrap": {"domain", "terms", "rules", "application", "alerts", "settings", "bootstrap"},
    "interfaces": {"domain", "terms", "rules", "application", "alerts", "settings", "bootstrap", "interfaces"},
}
PURE_FORBIDDEN = {"sqlalchemy", "eventsourcing", "os", "subprocess", "socket", "psycopg", "click", "rich"}


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        layer = rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.stem == "bootstrap" else None
        if layer in ALLOWED:
            out.append((layer, path))
    return out


def imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("layer", "path"), modules(), ids=lambda x: str(x))
def test_imports_point_one_way(layer: str, path: Path) -> None:
    for name in imported(ast.parse(path.read_text())):
        if name.startswith("obligations."):
            target = name.split(".")[1]
            assert target in ALLOWED[layer], f"{path.name} ({layer}) imports {name}"
        if layer in ("domain", "terms", "rules") and name.split(".")[0] in PURE_FORBIDDEN - {"eventsourcing"}:
            pytest.fail(f"{path.name} ({layer}) imports {name}")
        if layer in ("terms", "rules") and name.startswith("eventsourcing"):
            pytest.fail(f"{path.name} ({layer}) imports {name}")


@pytest.mark.parametrize(
    ("layer", "path"), [m for m in modules() if m[0] in ("domain", "terms", "rules")], ids=lambda x: str(x)
)
def test_pure_layers_never_read_the_clock(layer: str, path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow"):
            pytest.fail(f"{path.name} reads the clock ({node.attr}) at line {node.lineno}")
        if isinstance(node, ast.Name) and node.id == "open":
            pytest.fail(f"{path.name} does I/O (open) at line {node.lineno}")


def test_reminder_planning_is_pure_and_alerts_take_their_time_injected() -> None:
    plan = SRC / "alerts" / "plan.py"
    for name in imported(ast.parse(plan.read_text())):
        assert name.split(".")[0] not in PURE_FORBIDDEN, f"plan.py imports {name}"
        if name.startswith("obligations."):
            assert name.split(".")[1] in ("domain", "terms", "rules", "alerts"), name
    for path in (SRC / "alerts").glob("*.py"):
        if path.name == "service.py":  # APScheduler's waker runs on the wall clock; the work it wakes does not
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            reads = isinstance(node, ast.Attribute) and node.attr in ("now", "today", "utcnow", "time", "monotonic")
            if reads and isinstance(node.value, ast.Name) and node.value.id in ("datetime", "date", "time"):
                pytest.fail(f"{path.name} reads the wall clock at line {node.lineno}; use the injected clock")


def test_no_rule_names_a_clause_a_ground_or_a_number_word_of_any_agreement() -> None:
    """Issue 13: the rules of both forms read clauses, ground and prong ids, names and numbers from the terms
    file; no clause number (§5.1, 5.4(f)), statute, party or place of one agreement, or number written in
    words ("thirty (30) days", "the fifth day", "24-month") appears as a literal in them. A reference to the
    catalogue's own sections ("catalogue §8") is not a clause of an agreement."""
    literal = re.compile(
        r"(?<!catalogue )§|\b\d+\.\d+\([a-z]\)|Tex\. Lab|Cal\. Lab|Lab\. Code|Valence|Berg|Austin|Texas"
        r"|\b(?:three|five|six|thirty|fifth|sixth|twenty)\b|\b\d+-month\b",
        re.IGNORECASE,
    )
    for path in (SRC / "rules").rglob("*.py"):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and literal.search(node.value):
                pytest.fail(f"{path.relative_to(SRC)} line {node.lineno}: {node.value[:60]!r}")
