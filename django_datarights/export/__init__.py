"""Data export: archive building, encryption at rest, downloads and expiry."""
