"""SNIPPET_SHARD=k/n splits the snippets that need a run across CI's machines; merging the shards' caches
and building once more runs nothing and gives the one-machine site, byte for byte. SNIPPET_CACHE_ONLY=1
(the Pages job) publishes only what was run before."""

import re
import shutil

import pytest

from snippetrun.executor.runner import NOT_CACHED
from snippetrun.executor.shards import Shard, run_times, share

from conftest import SiteCopy, synthetic_site
from test_build import summary, tree_digest

SHARDS = 3


def synthetic(root) -> SiteCopy:
    return synthetic_site(root, chapters=2)


def ran(log: str) -> set:
    return set(re.findall(r"Ran (snippets/\S+\.py) in", log))


def site_files(site) -> dict:
    return {path: digest for path, digest in tree_digest(site).items() if path.suffix != ".gz"}  # gzip stamps the time


def test_every_snippet_goes_to_exactly_one_shard_longest_first_to_the_least_loaded():
    seconds = {"a": 9.0, "b": 5.0, "c": 4.0, "d": 3.0, "e": 3.0}
    names = [*seconds, "never-ran"]  # a snippet with no recorded time counts as the median, 4 s
    parts = [share(names, seconds, Shard(number, 2)) for number in (1, 2)]
    assert sorted(parts[0] + parts[1]) == sorted(names)
    assert parts == [["a", "never-ran"], ["b", "c", "d", "e"]]  # 13 s and 15 s: the longest went first
    assert parts == [share(names, seconds, Shard(number, 2)) for number in (1, 2)]  # every shard agrees


def test_three_shards_merged_build_the_one_machine_site_byte_for_byte_and_run_nothing(tmp_path):
    one_machine = synthetic(tmp_path / "one")
    alone = one_machine.build()
    assert alone.returncode == 0, alone.log
    times = sorted((one_machine.root / ".cache/snippets").glob("time-*.txt"))
    assert len(times) == 6  # what the next run splits by: the cache CI restores holds them

    executed = []
    merged = synthetic(tmp_path / "merged")
    for number in range(1, SHARDS + 1):
        shard = synthetic(tmp_path / f"shard-{number}")
        (shard.root / ".cache/snippets").mkdir(parents=True)
        for time_file in times:
            shutil.copy(time_file, shard.root / ".cache/snippets")
        build = shard.build(SNIPPET_SHARD=f"{number}/{SHARDS}")
        assert build.returncode == 0, build.log  # the other shards' snippets are placeholders, not errors
        assert f"left to the other shards (SNIPPET_SHARD={number}/{SHARDS}; their pages show placeholders)" in build.log
        executed.append(ran(build.log))
        shutil.copytree(shard.root / ".cache/snippets", merged.root / ".cache/snippets", dirs_exist_ok=True)
    recorded = run_times(one_machine.root / ".cache/snippets")
    names = sorted(ran(alone.log))
    assert executed == [set(share(names, recorded, Shard(number, SHARDS))) for number in range(1, SHARDS + 1)]
    assert all(executed) and sum(map(len, executed)) == len(set().union(*executed)) == 6  # each in exactly one

    final = merged.build(SNIPPET_CACHE_ONLY="1")  # as the Pages job builds: from the merged cache only
    assert final.returncode == 0, final.log
    assert summary(final.log) == (0, 6)
    assert site_files(final.site) == site_files(alone.site)


def test_a_cache_only_build_fails_on_a_snippet_it_has_no_result_for(tmp_path):
    site = synthetic(tmp_path)
    build = site.build(SNIPPET_CACHE_ONLY="1")
    assert build.returncode != 0
    assert summary(build.log) == (0, 0) and ran(build.log) == set()  # nothing ran
    assert "snippets/chapter-001/snippet_1.py:1: snippet failed (included by docs/chapter-001.md:" in build.log
    assert NOT_CACHED in build.log


@pytest.mark.parametrize("value", ["0/3", "4/3", "2", "a/b"])
def test_a_malformed_shard_says_what_to_write(tmp_path, value):
    build = synthetic(tmp_path).build(SNIPPET_SHARD=value)
    assert build.returncode != 0
    assert f"SNIPPET_SHARD={value!r}: write k/n with 1 <= k <= n, e.g. SNIPPET_SHARD=2/3" in build.log
