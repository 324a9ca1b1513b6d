"""Network plumbing shared by all probes: target validation, address policy, the resolver."""
