"""The personal-data registry: which models hold personal data and what rights apply to them.

A host app declares its models in a ``datarights.py`` module, discovered at start-up::

    from django_datarights.registry import PersonalData, Retention, anonymisers, register

    @register(Order)
    class OrderData(PersonalData):
        user_path = "customer"
        files = ["receipt"]
        erasure = "anonymise"
        anonymise = {"shipping_address": anonymisers.fixed("")}
"""

from . import anonymisers
from .declarations import ANONYMISE, DELETE, PersonalData, Retention, is_secret_field_name
from .registry import AlreadyRegistered, NotRegistered, Registry, register, registry

__all__ = [
    "ANONYMISE",
    "DELETE",
    "AlreadyRegistered",
    "NotRegistered",
    "PersonalData",
    "Registry",
    "Retention",
    "anonymisers",
    "is_secret_field_name",
    "register",
    "registry",
]
