"""Re-authentication ("sudo mode") in front of the sensitive actions."""

from .decorators import reauth_required

__all__ = ["reauth_required"]
