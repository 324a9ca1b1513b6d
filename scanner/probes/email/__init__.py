"""Email security: SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI (parsers and probe)."""
