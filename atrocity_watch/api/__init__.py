"""Shared API infrastructure: token authentication, role permission, pagination, errors, CSV, throttling."""
