"""The shared shapes of what a scan saw: host addresses, DNS records, certificates and
TLS endpoints, open ports and dialogues. They sit below the probes (which gather and
read them) and below the network adapters (which fill some of them in), so neither
imports upward; each parses back from its JSON (``scanner.observations.codec``)."""
