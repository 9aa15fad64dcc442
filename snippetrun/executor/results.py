"""What a run gives the pages: what the snippet printed and drew and the values quoted from it, or
why it failed, and the same as a cache entry."""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .protocol import ApiName, ApiTarget, QuotedValues


@dataclass
class Figure:
    light: str  # SVG as the snippet drew it
    dark: str  # the same figure recoloured for the dark scheme
    data: dict[str, Any]  # the lines, points and texts it shows (figures.py)


@dataclass
class Result:
    snippet: Path
    stdout: str = ""
    stderr: str = ""
    figures: list[Figure] = field(default_factory=list)  # in drawing order
    error: str | None = None
    line: int | None = None
    seconds: float = 0.0
    cached: bool = False
    notes: list[str] = field(default_factory=list)  # info for the build log, e.g. processes ended after the run
    warnings: dict[int, str] = field(default_factory=dict)  # figure number -> why a phone shows its text too small
    values: QuotedValues = field(default_factory=dict)
    read: list[str] = field(default_factory=list)  # files of its folder it read (helper modules, data), relative to it
    names: list[ApiName] = field(default_factory=list)  # the names in its code that link to what they denote
    targets: dict[str, ApiTarget] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def entry(self, name: str, inputs: dict[str, str]) -> dict[str, Any]:
        """The cache entry of a run that succeeded: `inputs` maps the files it read to their hashes."""
        return {
            "snippet": name,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "figures": [asdict(figure) for figure in self.figures],
            "inputs": inputs,
            "values": self.values,
            "names": [asdict(name) for name in self.names],
            "targets": {name: asdict(target) for name, target in self.targets.items()},
        }

    @classmethod
    def from_entry(cls, snippet: Path, stored: dict[str, Any]) -> "Result":
        figures = [Figure(**figure) for figure in stored["figures"]]
        return cls(
            snippet,
            stored["stdout"],
            stored["stderr"],
            figures,
            cached=True,
            values=stored["values"],
            read=sorted(stored["inputs"]),
            names=[ApiName(**name) for name in stored["names"]],
            targets={name: ApiTarget(**target) for name, target in stored["targets"].items()},
        )
