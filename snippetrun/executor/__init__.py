"""The snippet executor: runs the code the pages show, contains it, caches what it printed and drew.

runner.py is its face (the build hooks and the tests use `SnippetRunner`); cache.py, sandbox.py, figures.py,
preload.py and terminal.py are shared by both backends; fork_worker.py (Linux) and spawn_worker.py with
spawn_child.py (every OS) are the backends; lifecycle.py and process_tree.py their common process control.
"""
