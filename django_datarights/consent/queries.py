"""Answer "may we do X for this user?" from the stored choices, cheaply.

The rules, in order, for one user and one active purpose:

1. A purpose that cannot be refused always applies.
2. Without a stored choice, the purpose's default applies (always off when consent-based).
3. A consent-based purpose whose choice answered an older version counts as not given while
   ``DATARIGHTS_RECONSENT_ON_NEW_VERSION`` is on, until the user answers the current version.
4. Otherwise the stored choice applies.

Inactive and unknown purposes never apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from ..conf import app_settings
from ..models import Consent, Purpose
from ..models.consent import LegalBasis

# Attribute of the request object that holds the per-request cache.
REQUEST_CACHE_ATTRIBUTE = "_datarights_consent_states"


@dataclass(frozen=True)
class ConsentState:
    """One purpose as it stands for one user."""

    purpose_id: int
    slug: str
    name: str
    description: str
    legal_basis: str
    refusable: bool
    default_given: bool
    version: int
    answered_given: bool | None
    answered_version: int | None

    @property
    def is_consent_based(self) -> bool:
        return self.legal_basis == LegalBasis.CONSENT

    @property
    def needs_review(self) -> bool:
        """Whether the user answered an older version and must answer again to consent."""
        return (
            self.refusable
            and self.is_consent_based
            and self.answered_version is not None
            and self.answered_version < self.version
            and app_settings.RECONSENT_ON_NEW_VERSION
        )

    @property
    def given(self) -> bool:
        if not self.refusable:
            return True
        if self.answered_given is None:
            return self.default_given and not self.is_consent_based
        if self.needs_review:
            return False
        return self.answered_given


def consent_states(user: Any, request: Any = None) -> dict[str, ConsentState]:
    """Return every active purpose's state for ``user``, keyed by slug, in display order.

    One query joins the active purposes to the user's choices. With a ``request`` the result is
    kept on it, so any number of checks in one request cost that one query; flows that change a
    choice drop the cached value through ``forget_cached_states``.
    """
    if request is not None:
        cached = getattr(request, REQUEST_CACHE_ATTRIBUTE, None)
        if cached is not None and cached[0] == _user_pk(user):
            return cached[1]

    states = _load_states(user)
    if request is not None:
        setattr(request, REQUEST_CACHE_ATTRIBUTE, (_user_pk(user), states))
    return states


def forget_cached_states(request: Any) -> None:
    if request is not None and hasattr(request, REQUEST_CACHE_ATTRIBUTE):
        delattr(request, REQUEST_CACHE_ATTRIBUTE)


def has_consent(user: Any, purpose_slug: str, request: Any = None) -> bool:
    """Return whether ``purpose_slug`` currently applies to ``user``.

    Unknown or inactive purposes return False. For an anonymous visitor, who has had no chance
    to choose, only a purpose that cannot be refused applies.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        state = consent_states(None, request).get(purpose_slug)
        return bool(state and not state.refusable)
    state = consent_states(user, request).get(purpose_slug)
    return bool(state and state.given)


def users_consenting_to(purpose_slug: str) -> QuerySet[Any]:
    """Return the users to whom ``purpose_slug`` currently applies, as one SQL query.

    Follows the same rules as ``has_consent``: non-refusable purposes include every user,
    legitimate-interest purposes that are on by default include users who never objected, and
    answers to an older version of a consent-based purpose do not count while re-consent is on.
    """
    purpose = Purpose.objects.filter(slug=purpose_slug, active=True)
    answers = Consent.objects.filter(
        user=OuterRef("pk"), purpose__slug=purpose_slug, purpose__active=True
    )
    counted_yes = answers.filter(given=True)
    if app_settings.RECONSENT_ON_NEW_VERSION:
        counted_yes = counted_yes.filter(
            Q(version__gte=F("purpose__version")) | ~Q(purpose__legal_basis=LegalBasis.CONSENT)
        )
    default_on = purpose.filter(default_given=True).exclude(legal_basis=LegalBasis.CONSENT)

    return get_user_model()._default_manager.filter(
        Exists(purpose.filter(refusable=False))
        | Exists(counted_yes)
        | (Exists(default_on) & ~Exists(answers))
    )


# SQL of _load_states per database alias, built once: building and compiling the equivalent
# queryset took about as long as running it, on every request that checks consent.
_STATES_SQL: dict[str, str] = {}


def _states_sql(alias: str) -> str:
    """Return the SQL that reads the active purposes with one user's stored choices.

    Parameters: the user's primary key, then ``True`` for the ``active`` flag. Table and column
    names come from the models' metadata, quoted by the database backend.
    """
    cached = _STATES_SQL.get(alias)
    if cached is not None:
        return cached
    quote = connections[alias].ops.quote_name
    purpose, consent = Purpose._meta, Consent._meta

    def column(meta: Any, name: str) -> str:
        return str(quote(meta.get_field(name).column))

    selected = ", ".join(
        [
            *(
                f"p.{column(purpose, name)}"
                for name in (
                    "id",
                    "slug",
                    "name",
                    "description",
                    "legal_basis",
                    "refusable",
                    "default_given",
                    "version",
                )
            ),
            f"c.{column(consent, 'given')}",
            f"c.{column(consent, 'version')}",
        ]
    )
    # Only quoted names go into the string; the user's key and the flag are parameters.
    sql = (
        f"SELECT {selected} FROM {quote(purpose.db_table)} p "  # noqa: S608  # nosec B608
        f"LEFT OUTER JOIN {quote(consent.db_table)} c "
        f"ON c.{column(consent, 'purpose')} = p.{column(purpose, 'id')} "
        f"AND c.{column(consent, 'user')} = %s "
        f"WHERE p.{column(purpose, 'active')} = %s "
        f"ORDER BY p.{column(purpose, 'ordering')}, p.{column(purpose, 'name')}, "
        f"p.{column(purpose, 'id')}"
    )
    _STATES_SQL[alias] = sql
    return sql


def _load_states(user: Any) -> dict[str, ConsentState]:
    alias = router.db_for_read(Purpose) or DEFAULT_DB_ALIAS
    with connections[alias].cursor() as cursor:
        cursor.execute(_states_sql(alias), [_user_pk(user), True])
        rows = cursor.fetchall()
    # SQLite returns booleans as integers, so each one goes through bool().
    return {
        slug: ConsentState(
            purpose_id=pk,
            slug=slug,
            name=name,
            description=description,
            legal_basis=legal_basis,
            refusable=bool(refusable),
            default_given=bool(default_given),
            version=version,
            answered_given=None if given is None else bool(given),
            answered_version=answered_version,
        )
        for (
            pk,
            slug,
            name,
            description,
            legal_basis,
            refusable,
            default_given,
            version,
            given,
            answered_version,
        ) in rows
    }


def _user_pk(user: Any) -> Any:
    return getattr(user, "pk", user)
