"""Attack-surface discovery: sources that find a provider's host names, each saying
where a name came from.

A source is a small unit (``base.Source``): a name, whether it sends anything to
the provider, and ``discover(domain, context) -> SourceResult``. The DNS discovery
probe runs every enabled source concurrently, each under its own deadline, keeps
the names in scope, resolves them under the address policy and hands them to the
other probes. Plugins add sources under the ``vetscan.sources`` entry-point group.
"""
