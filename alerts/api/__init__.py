"""REST API v1 for alerts and escalations; every change goes through alerts.services."""
