"""The environment variables a snippet sees: those of a reader's shell, not the build's.

The build's environment may hold secrets (an author's exported token, CI's OIDC request token). The
worker, and so every snippet and every process a snippet starts, gets only the variables below, by
name; the rest never reach a process that runs a snippet, a page or the cache. The values that do
reach snippets are part of every cache key (cache.py). The executor itself sets, for each run, PWD
(the scratch copy), TMPDIR, TEMP and TMP (the run's own temp folder), and PYTHONPATH and
SNIPPET_NETWORK_LOG for the Python processes a snippet starts (sandbox.py): those are not keyed.
"""

import re

ALLOWED = re.compile(
    "|".join(
        [
            r"PATH|HOME|USER|USERNAME|LOGNAME|SHELL|TERM",  # who and where
            r"LANG|LANGUAGE|LC_[A-Z]+|TZ",  # locale and time zone
            r"PYTHON[A-Z_]*|VIRTUAL_ENV",  # how `python` itself starts (PYTHONPATH, PYTHONHASHSEED, ...)
            r"OMP_NUM_THREADS|MKL_NUM_THREADS|MPLCONFIGDIR|TQDM_[A-Z_]+",  # read by torch, matplotlib, tqdm
            # what Windows needs to start processes and find the user's folders
            r"SYSTEMROOT|SYSTEMDRIVE|WINDIR|COMSPEC|PATHEXT|USERPROFILE|APPDATA|LOCALAPPDATA|PROGRAMDATA",
            r"NUMBER_OF_PROCESSORS|PROCESSOR_ARCHITECTURE",
        ]
    ),
    re.IGNORECASE,  # Windows' names are case-insensitive
)


def for_snippets(environ) -> dict:
    """The variables of `environ` a snippet may see."""
    return {name: value for name, value in environ.items() if ALLOWED.fullmatch(name)}


def cache_key_part(environ) -> bytes:
    """What the cache key takes from the environment: every variable a snippet sees, sorted."""
    return "\0".join(f"{name}={value}" for name, value in sorted(for_snippets(environ).items())).encode()
