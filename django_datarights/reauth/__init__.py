"""Re-authentication ("sudo mode") in front of the sensitive actions."""
