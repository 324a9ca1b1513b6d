"""Portfolio audits: many vendors, history, drift alerts, unattended runs."""
