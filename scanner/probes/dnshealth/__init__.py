"""DNS integrity and resilience: DNSSEC, CAA, redundancy, IPv6, dangling records."""
