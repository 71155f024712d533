"""Retention policies and their enforcement."""
