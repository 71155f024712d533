"""Declarations a host app writes in its ``datarights.py`` module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q, QuerySet

from .anonymisers import Anonymiser, as_anonymiser

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django_stubs_ext import StrOrPromise

DELETE = "delete"
ANONYMISE = "anonymise"
ERASURE_ACTIONS = (DELETE, ANONYMISE)

# Field names that never go into an export unless listed explicitly in ``fields``.
SECRET_FIELD_NAMES = frozenset(
    {"password", "token", "secret", "key", "otp_secret", "api_key", "session_key", "salt"}
)
SECRET_FIELD_SUFFIXES = ("_token", "_secret", "_hash", "_key", "password")


def is_secret_field_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_FIELD_NAMES or lowered.endswith(SECRET_FIELD_SUFFIXES)


@dataclass(frozen=True)
class Retention:
    """A retention rule declared in code next to a model's registration.

    ``period`` starts at ``date_field``; once it has fully passed the row is deleted or
    anonymised. ``filter`` narrows the rows the rule applies to. ``key`` names the rule in the
    admin and must stay stable across releases; it defaults to ``app_label.model.date_field``.
    """

    date_field: str
    period: timedelta
    action: str = DELETE
    filter: Q | None = None
    key: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        if self.action not in ERASURE_ACTIONS:
            raise ValueError(
                f"Retention action must be one of {ERASURE_ACTIONS}, not {self.action!r}"
            )
        if self.period <= timedelta(0):
            raise ValueError("Retention period must be positive")


class PersonalData:
    """Describe how one model holds personal data. Subclass it and register it.

    Class attributes:

    ``user_path``
        Field path from the model to the user who owns a row, as in a ``filter()`` keyword
        (``"customer"``, ``"order__customer"``). Empty for the user model itself.
    ``fields``
        Fields that go into an export. ``None`` means every concrete field except secrets.
    ``exclude``
        Fields left out of the default export set.
    ``labels``
        Readable column names for the export, by field name.
    ``files``
        ``FileField`` and ``ImageField`` names whose files go into the export and are removed
        from storage on erasure.
    ``erasure``
        ``"delete"`` removes the rows, ``"anonymise"`` overwrites the fields in ``anonymise``.
    ``anonymise``
        Field name to anonymiser (see ``django_datarights.anonymisers``).
    ``legal_basis_for_keeping``
        When set, rows are kept, anonymised, for this stated reason even if ``erasure`` is delete.
    ``identifier_fields``
        Fields whose values identify the person (a phone number, a display name); the residual
        check after erasure searches the whole database for them.
    ``category``, ``description``, ``purpose``
        What the data is, why it is held, and the slug of the ``Purpose`` it serves; shown on the
        settings page and in the archive's ``index.html``.
    ``retention``
        ``Retention`` rules for this model.
    """

    model: ClassVar[type[models.Model]]
    user_path: ClassVar[str] = "user"
    fields: ClassVar[Sequence[str] | None] = None
    exclude: ClassVar[Sequence[str]] = ()
    labels: ClassVar[Mapping[str, str]] = {}
    files: ClassVar[Sequence[str]] = ()
    erasure: ClassVar[str] = DELETE
    anonymise: ClassVar[Mapping[str, Any]] = {}
    legal_basis_for_keeping: ClassVar[StrOrPromise | None] = None
    identifier_fields: ClassVar[Sequence[str]] = ()
    category: ClassVar[StrOrPromise | None] = None
    description: ClassVar[StrOrPromise] = ""
    purpose: ClassVar[str | None] = None
    retention: ClassVar[Sequence[Retention]] = ()

    # --- Derived properties -------------------------------------------------------------------

    @classmethod
    def label(cls) -> str:
        """Stable dataset name, ``app_label.ModelName``, used in archives and progress records."""
        return cls.model._meta.label

    @classmethod
    def dataset_name(cls) -> str:
        """File-name-safe dataset name, ``app_label.modelname``."""
        return cls.model._meta.label_lower

    @classmethod
    def display_category(cls) -> str:
        return str(cls.category or cls.model._meta.verbose_name_plural)

    @classmethod
    def is_user_model(cls) -> bool:
        return cls.model is get_user_model()

    @classmethod
    def keeps_rows(cls) -> bool:
        """Whether erasure keeps the rows (anonymised) rather than deleting them."""
        return cls.erasure == ANONYMISE or bool(cls.legal_basis_for_keeping)

    @classmethod
    def anonymisers(cls) -> dict[str, Anonymiser]:
        return {name: as_anonymiser(spec) for name, spec in cls.anonymise.items()}

    @classmethod
    def export_field_names(cls) -> list[str]:
        """Concrete field names exported, in model order, honouring ``fields`` and ``exclude``."""
        concrete = [f for f in cls.model._meta.concrete_fields]
        if cls.fields is not None:
            by_name = {f.name: f for f in concrete}
            return [name for name in cls.fields if name in by_name]
        names = []
        for model_field in concrete:
            if model_field.name in cls.exclude or is_secret_field_name(model_field.name):
                continue
            names.append(model_field.name)
        return names

    @classmethod
    def export_columns(cls) -> list[tuple[str, str]]:
        """``(attname, label)`` pairs: the value to read from a row and its column heading."""
        columns = []
        for name in cls.export_field_names():
            model_field = cls.model._meta.get_field(name)
            label = cls.labels.get(name) or str(getattr(model_field, "verbose_name", name))
            # export_field_names() yields concrete fields only, which all have an attname.
            columns.append((getattr(model_field, "attname", name), str(label)))
        return columns

    # --- Queries ------------------------------------------------------------------------------

    @classmethod
    def user_filter(cls, user: AbstractBaseUser | Any) -> Q:
        """Return the ``Q`` selecting this model's rows that belong to ``user`` (object or pk)."""
        user_pk = getattr(user, "pk", user)
        if cls.is_user_model() or not cls.user_path:
            return Q(pk=user_pk)
        return Q(**{cls.user_path: user_pk})

    @classmethod
    def rows_for(cls, user: AbstractBaseUser | Any) -> QuerySet[Any]:
        """Return every row of this model that belongs to ``user``, ordered by primary key.

        Paths through a many-valued relation can match a row more than once, so the queryset is
        made distinct in that case.
        """
        queryset = cls.model._default_manager.filter(cls.user_filter(user))
        if cls._path_is_multi_valued():
            queryset = queryset.distinct()
        return queryset.order_by("pk")

    @classmethod
    def _path_is_multi_valued(cls) -> bool:
        model = cls.model
        for part in (cls.user_path or "").split("__"):
            if not part:
                break
            model_field = model._meta.get_field(part)
            if model_field.one_to_many or model_field.many_to_many:
                return True
            related = model_field.related_model
            if related is None:
                break
            model = related
        return False

    @classmethod
    def export_row(cls, instance: models.Model) -> dict[str, Any]:
        """Return one exported row as ``{attname: value}``; override to add computed values."""
        return {attname: getattr(instance, attname) for attname, _label in cls.export_columns()}

    @classmethod
    def retention_rules(cls) -> Iterable[Retention]:
        return cls.retention
