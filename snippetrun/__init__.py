"""Run the code a documentation site shows, and show what it printed, drew and computed.

`executor` runs and contains the snippets and caches their results, for any site generator; the other
modules put the results into a MkDocs site, wired in by `plugin.SnippetsPlugin` (the `snippetrun` plugin
in mkdocs.yml).
"""
