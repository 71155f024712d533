"""Consent purposes, choices and their history."""
