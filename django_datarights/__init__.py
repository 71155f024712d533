"""Data-subject rights for Django sites: consent, export, erasure and retention."""

__version__ = "0.1.0"
