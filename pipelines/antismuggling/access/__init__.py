"""Access control of the dashboard: roles and masking, passwords, the local user store and its audit trail."""
