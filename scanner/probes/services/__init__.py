"""Exposed network services: what answers on the provider's web and mail addresses (nmap)."""
