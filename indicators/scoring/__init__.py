"""Scoring: the pure core (core.py), score runs and storage (services.py), and reads (selectors.py)."""
