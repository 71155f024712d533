"""The privacy settings page; each area's own views live in its package."""
