"""The template probe: copy this folder to scanner/probes/<name>/ (or ship it as a
plugin package) and change what it looks at. It shows every part a probe has, each
in its own file:

observations.py  what it saw, frozen and typed (parses back from its JSON)
gather.py        how it sees, through the context's adapters only
evaluate.py      its checks: a table of functions, one per check ID, behind gates
checks.toml      the catalogue entries of those checks
settings.toml    its profile table (and ``--set example.KEY=VALUE``)
report.py        its report hooks: inventory rows
report.html.j2   its section of the report's "Assets found"
probe.py         the class that joins them (``PROBE``)

This one needs no network of its own: it reads the hosts DNS discovery found and
judges how the provider exposes them.
"""
