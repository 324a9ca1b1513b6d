"""TLS posture of a provider's web, mail and extra endpoints (sslyze)."""
