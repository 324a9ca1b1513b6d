"""vetscan: a non-intrusive security posture scanner for IT service providers."""

__version__ = "0.1.0"
