"""What requirements.in allows against what requirements.txt locks, for the tests and the canary."""

import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

CUDA_ONLY = re.compile(r"^(nvidia-.*|triton|cuda-.*)$")  # pulled in by PyPI's default (CUDA) torch


def direct_requirements(text: str) -> dict:
    """requirements.in's requirements by canonical name."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return {canonicalize_name((req := Requirement(line)).name): req for line in lines if line}


def pins(text: str) -> dict:
    """`name==version` lines of a compiled lock, by canonical name."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, re.MULTILINE)
    return {canonicalize_name(name): version for name, version in found}


def mismatches(requirements_in: str, lock: str) -> list:
    """Why the lock does not satisfy requirements.in (empty when it does)."""
    locked, problems = pins(lock), []
    for name, requirement in direct_requirements(requirements_in).items():
        if name not in locked:
            problems.append(f"{name} is in requirements.in but not in the lock")
        elif not requirement.specifier.contains(Version(locked[name]), prereleases=True):
            problems.append(f"{name}=={locked[name]} is outside {requirement}")
    problems += [f"{name}=={version} is a CUDA package" for name, version in locked.items() if CUDA_ONLY.match(name)]
    return problems
