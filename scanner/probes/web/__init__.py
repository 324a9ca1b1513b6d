"""Web hardening of the provider's web hosts (requests)."""
