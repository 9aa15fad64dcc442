"""What requirements.in allows against what requirements.txt locks, for the tests and the canary."""

import re

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

CUDA_ONLY = re.compile(r"^(nvidia-.*|triton|cuda-.*)$")  # pulled in by PyPI's default (CUDA) torch
TORCH_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"  # where Linux's torch==…+cpu lives
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)(?:\s*;\s*(.+?))?\s*$", re.MULTILINE)
# The platforms the lock is for, as environment markers see them (Python 3.11).
PLATFORMS = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"},
}


def _lines(text: str) -> list:
    return [line for line in (line.split("#", 1)[0].strip() for line in text.splitlines()) if line]


def direct_requirements(text: str) -> dict:
    """requirements.in's requirements by canonical name (not its pip options, such as `-e .`)."""
    return {canonicalize_name((req := Requirement(line)).name): req for line in _lines(text) if not line.startswith("-")}


def pins(text: str, environment: dict | None = None) -> dict:
    """`name==version` lines of a compiled lock whose markers hold in `environment` (default: this
    interpreter's; a dict overrides some of its values, e.g. PLATFORMS["macos"]), by canonical name."""
    return {
        canonicalize_name(name): version
        for name, version, marker in PIN.findall(text)
        if not marker or Marker(marker).evaluate(environment)
    }


def all_pins(text: str) -> set:
    """(name, version) of every pin, whatever platform it is for."""
    return {(canonicalize_name(name), version) for name, version, _ in PIN.findall(text)}


def mismatches(requirements_in: str, lock: str) -> list:
    """Why the lock does not satisfy requirements.in (empty when it does), naming the platforms."""
    problems: dict[str, list[str]] = {}
    for platform, environment in PLATFORMS.items():
        locked = pins(lock, environment)
        for name, requirement in direct_requirements(requirements_in).items():
            if name not in locked:
                problem = f"{name} is in requirements.in but not in the lock"
            elif not requirement.specifier.contains(Version(locked[name]), prereleases=True):
                problem = f"{name}=={locked[name]} is outside {requirement}"
            else:
                continue
            problems.setdefault(problem, []).append(platform)
    found = [f"{problem} ({', '.join(platforms)})" for problem, platforms in problems.items()]
    locked_options = {line for line in _lines(lock) if line.startswith("-")}
    found += [
        f"{option} is in requirements.in but not in the lock"
        for option in _lines(requirements_in)
        if option.startswith("-") and option not in locked_options
    ]
    found += [f"{name}=={version} is a CUDA package" for name, version in sorted(all_pins(lock)) if CUDA_ONLY.match(name)]
    if re.search(r"^torch==\S+\+cpu\b", lock, re.MULTILINE) and TORCH_INDEX not in lock.splitlines():
        found.append(f"the lock pins a +cpu torch but does not name its index ({TORCH_INDEX})")
    return found
