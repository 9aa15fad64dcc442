"""The modules a snippet imports, read from its code before it runs (the worker preloads them)."""

import ast
from pathlib import Path


def imported_modules(snippet: Path) -> set[str]:
    """The modules a snippet's import statements name (absolute imports, as written)."""
    try:
        tree = ast.parse(snippet.read_bytes())
    except SyntaxError:
        return set()  # the run reports it
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and not node.level}


def library_imports(snippet: Path) -> set[str]:
    """The modules a snippet imports that are not its own (no helper module beside it has the name)."""

    def local(name: str) -> bool:
        top = snippet.parent / name.split(".", maxsplit=1)[0]
        return top.with_suffix(".py").exists() or top.is_dir()

    return {name for name in imported_modules(snippet) if not local(name)}
