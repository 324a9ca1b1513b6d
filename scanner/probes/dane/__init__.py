"""DANE for SMTP (RFC 7672): TLSA records of each MX, checked against the
certificate chain the TLS probe saw on that MX (observations.py, gather.py,
evaluate.py, probe.py)."""
