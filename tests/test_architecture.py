"""The package's shape as the style guide states it: no import circle, nothing outside
scanner/cli imports the CLI, and each third-party network tool is imported in one
adapter module only."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "scanner"


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (never executed)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text("utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return out


def test_the_package_has_no_import_circle() -> None:
    assert _cycles() == []


def test_nothing_outside_the_cli_imports_it() -> None:
    offenders = {
        name: sorted(m for m in deps if m == "scanner.cli" or m.startswith("scanner.cli."))
        for name, deps in GRAPH.items()
        if not (name == "scanner.cli" or name.startswith("scanner.cli."))
        and name != "scanner.__main__"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_each_third_party_tool_has_one_adapter() -> None:
    tools = {
        "sslyze": "scanner.net.tls_scan",
        "nmap": "scanner.net.portscan",
        "celery": "scanner.distributed.app",
        "psycopg": "scanner.history.postgres",
        "weasyprint": "scanner.render.pdf",
        "kyber_py": "scanner.net.hybrid_kex",
    }
    # dnspython plays three parts, each in its own module: the operator's resolver,
    # a target's name servers (through the door), and DNSSEC's cryptography over
    # records already fetched. The lab's DNS servers are servers, not adapters.
    several = {"dns": {"scanner.net.resolver", "scanner.net.nameservers", "scanner.net.dnssec"}}
    for tool, adapter in [*((t, {a}) for t, a in tools.items()), *several.items()]:
        users = set()
        for name, path in MODULES.items():
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                )  # fmt: skip
                if any(n == tool or n.startswith(f"{tool}.") for n in names):
                    users.add(name)
        users = {u for u in users if not u.startswith("scanner.lab")}
        assert users == adapter, (tool, users)


# Modules that may open sockets or drive a library that does, and why. Every other
# module reaches the network through these; the target-facing ones approve each
# address through scanner.net.dial (tests/test_choke_point.py proves it on a scan).
NETWORK_MODULES = {
    "scanner.net.dial": "the one door: every connection to a target",
    "scanner.net.nameservers": "dnspython to a target's name servers, each address approved first",
    "scanner.net.tls_scan": "sslyze, each endpoint's address approved first",
    "scanner.net.portscan": "nmap, each address on its command line approved first",
    "scanner.net.resolver": "the operator's resolver (--nameserver)",
    "scanner.audit.notify": "the operator's alert webhook and mail relay",
    "scanner.net.feeds": "the operator's reference-data feeds (CISA's KEV catalogue)",
    "scanner.distributed.app": "the operator's broker",
    "scanner.history.postgres": "the operator's database",
}
_SOCKET_CALLS = {"create_connection", "socket", "socketpair", "fromfd"}
_CONNECTING = ("dns.query", "smtplib", "urllib.request", "http.client", "nmap", "sslyze")


def test_only_the_door_and_the_operators_clients_open_connections() -> None:
    offenders: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        if name.startswith("scanner.lab") or name in NETWORK_MODULES:
            continue
        tree = ast.parse(path.read_text("utf-8"))
        found = []
        for node in _runtime_nodes(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "socket"
                and node.func.attr in _SOCKET_CALLS
            ):
                found.append(f"socket.{node.func.attr}() at line {node.lineno}")
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else
                    [node.module or ""]
                )  # fmt: skip
                found += [n for n in names if n.startswith(_CONNECTING)]
        if found:
            offenders[name] = found
    # http.client is the HTTP client's protocol engine; its connect() is ours (dial.tcp).
    assert offenders == {"scanner.net.http": ["http.client"]}, offenders


def test_library_code_never_prints() -> None:
    """Only the CLI and the lab's servers print; the library returns or reports
    through callbacks (an observer, on_ready)."""
    offenders = []
    for name, path in MODULES.items():
        if name.startswith(("scanner.cli", "scanner.lab")) or name == "scanner.__main__":
            continue
        for node in _runtime_nodes(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
            ):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


# Who may not import whom: the document is built from a scan and read by renderers,
# the history and the audit, never the other way round; the CLI is nobody's library.
LAYERS = {
    "scanner.document": ("scanner.render", "scanner.audit", "scanner.history",
                         "scanner.pipeline", "scanner.distributed", "scanner.api"),
    "scanner.probes": ("scanner.render", "scanner.audit", "scanner.history", "scanner.document",
                       "scanner.pipeline", "scanner.distributed", "scanner.api"),
    "scanner.scoring": ("scanner.probes", "scanner.net", "scanner.render", "scanner.document",
                        "scanner.history", "scanner.audit", "scanner.pipeline"),
    "scanner.render": ("scanner.audit", "scanner.history", "scanner.pipeline",
                       "scanner.distributed", "scanner.net"),
    "scanner.history": ("scanner.render", "scanner.audit", "scanner.pipeline", "scanner.api",
                        "scanner.probes", "scanner.net"),
}  # fmt: skip


def test_the_layers_import_only_downwards() -> None:
    crossing = {
        name: sorted(i for i in GRAPH[name] if i.startswith(forbidden))
        for layer, forbidden in LAYERS.items()
        for name in MODULES
        if name == layer or name.startswith(f"{layer}.")
    }
    assert {k: v for k, v in crossing.items() if v} == {}


def test_the_cli_reaches_the_library_through_the_api() -> None:
    """Commands call scanner.api; what else they import are the values it takes and
    gives (options, model, errors) and read-only catalogue queries."""
    operations = ("scanner.audit", "scanner.history", "scanner.distributed", "scanner.pipeline",
                  "scanner.engine", "scanner.document.reissue", "scanner.net.dnssec")  # fmt: skip
    reaching = {
        name: sorted(i for i in GRAPH[name] if i.startswith(operations))
        for name in MODULES
        if name.startswith("scanner.cli")
    }
    assert {k: v for k, v in reaching.items() if v} == {}


def test_shared_observations_sit_below_the_adapters_and_the_probes() -> None:
    """The shapes every probe reads (addresses, certificates, ports) import only the
    model, so the network adapters that fill them in never import a probe."""
    below = {
        name: sorted(i for i in GRAPH[name] if not i.startswith(("scanner.observations",)))
        for name in MODULES
        if name.startswith("scanner.observations")
    }
    allowed = {"scanner.model", "scanner.errors"}
    assert {
        k: [i for i in v if i not in allowed] for k, v in below.items() if set(v) - allowed
    } == {}
    upward = {
        name: sorted(i for i in GRAPH[name] if i.startswith("scanner.probes"))
        for name in MODULES
        if name.startswith("scanner.net")
    }
    assert {k: v for k, v in upward.items() if v} == {}
