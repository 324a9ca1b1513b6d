"""JSON Schema of vetscan's scan document (shipped in the wheel)."""
