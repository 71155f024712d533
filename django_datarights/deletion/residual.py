"""The residual check: after an erasure, search the whole database for the person's identifiers.

Before the erasure starts, the identifiers (username, email, names and each declaration's
``identifier_fields`` values) are stored on the request. Afterwards every text column of every
table is searched for them, registered or not, and the hits are recorded as table, column and
count. The values themselves are never logged or recorded, and the identifiers are cleared
once the check has run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection
from django.utils import timezone

from ..adapter import get_adapter
from ..models import DeletionRequest
from ..registry import registry

logger = logging.getLogger(__name__)

MIN_IDENTIFIER_LENGTH = 3
MAX_VALUES_PER_FIELD = 50
MAX_QUERY_PARAMETERS = 999
TEXT_FIELD_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "EmailField",
        "SlugField",
        "URLField",
        "JSONField",
        "GenericIPAddressField",
    }
)


def collect_identifiers(user: Any) -> list[str]:
    """Return the distinct strings that identify ``user``, shortest last.

    Values shorter than three characters are left out, because they would match almost every
    row of a text column.
    """
    values: list[str] = list(get_adapter().identifiers_for(user))
    for declaration in registry.in_erasure_order():
        if not declaration.identifier_fields:
            continue
        rows = declaration.rows_for(user).values_list(*declaration.identifier_fields)
        for row in rows[:MAX_VALUES_PER_FIELD]:
            values.extend(str(value) for value in row if value)
    unique: dict[str, str] = {}
    for value in values:
        cleaned = value.strip()
        if len(cleaned) >= MIN_IDENTIFIER_LENGTH:
            unique.setdefault(cleaned.lower(), cleaned)
    return sorted(unique.values(), key=len, reverse=True)


def text_columns() -> list[tuple[str, str]]:
    """Return ``(table, column)`` for every text-like column of every table in the database.

    Tables of installed models are read from the models, which is much faster than database
    introspection on SQLite. Every other table (another app's, or one no model describes) is
    introspected, so nothing is left out.
    """
    skipped = (
        DeletionRequest._meta.db_table,
        DeletionRequest._meta.get_field("identifiers").column,
    )
    by_model: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        columns = [
            str(field.column)
            for field in model._meta.local_concrete_fields
            if field.get_internal_type() in TEXT_FIELD_TYPES
        ]
        by_model.setdefault(model._meta.db_table, []).extend(columns)
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in by_model:
                names = sorted(set(by_model[table]))
            else:
                names = _introspected_text_columns(cursor, table)
            found.extend((table, name) for name in names if (table, name) != skipped)
    return found


def _introspected_text_columns(cursor: Any, table: str) -> list[str]:
    try:
        description = connection.introspection.get_table_description(cursor, table)
    except DatabaseError:
        logger.warning("residual check could not describe table %s", table)
        return []
    names = []
    for column in description:
        try:
            field_type = connection.introspection.get_field_type(column.type_code, column)
        except KeyError:
            continue
        if field_type in TEXT_FIELD_TYPES:
            names.append(column.name)
    return names


def find_residuals(identifiers: list[str]) -> list[dict[str, Any]]:
    """Return ``[{"table", "column", "count"}]`` for every text column containing an identifier.

    A column matches when ``LOWER(CAST(column AS TEXT)) LIKE`` any identifier, with ``%``,
    ``_`` and the escape character escaped. Each table is read once: one query counts the
    matching rows of all its text columns. On SQLite ``LOWER`` folds only ASCII letters, so a
    non-ASCII identifier is matched in the case it was stored in.
    """
    patterns = [f"%{_escape_like(value)}%" for value in _shortest_identifiers(identifiers)]
    if not patterns:
        return []
    by_table: dict[str, list[str]] = {}
    for table, column in text_columns():
        by_table.setdefault(table, []).append(column)
    # Spread a table's columns over several queries so that each stays within 999 parameters,
    # the limit of SQLite before 3.32. More identifiers than that still go in one query.
    columns_per_query = max(1, MAX_QUERY_PARAMETERS // len(patterns))
    hits: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        for table, columns in by_table.items():
            for start in range(0, len(columns), columns_per_query):
                chunk = columns[start : start + columns_per_query]
                counts = _count_matches(cursor, table, chunk, patterns)
                hits.extend(
                    {"table": table, "column": column, "count": count}
                    for column, count in zip(chunk, counts, strict=True)
                    if count
                )
    return hits


def _count_matches(cursor: Any, table: str, columns: list[str], patterns: list[str]) -> list[int]:
    """Count, per column, the rows of ``table`` whose value matches any pattern, in one scan."""
    quote = connection.ops.quote_name
    sums = []
    for column in columns:
        expression = f"LOWER(CAST({quote(column)} AS TEXT))"
        condition = " OR ".join(f"{expression} LIKE %s ESCAPE '\\'" for _ in patterns)
        sums.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")
    # Table and column names come from the database's own introspection and are quoted; every
    # searched value is a bound parameter.
    cursor.execute(
        f"SELECT {', '.join(sums)} FROM {quote(table)}",  # noqa: S608  # nosec B608
        patterns * len(columns),
    )
    row = cursor.fetchone()
    # SUM over an empty table is NULL.
    return [int(value or 0) for value in row]


def _shortest_identifiers(identifiers: list[str]) -> list[str]:
    """Return the lower-cased identifiers, leaving out each one that contains another.

    Every value that contains ``"ingrid halvorsen"`` also contains ``"halvorsen"``, so the
    longer identifier adds no match and only costs time.
    """
    unique = sorted({value.lower() for value in identifiers if value}, key=len)
    shortest: list[str] = []
    for value in unique:
        if not any(other in value for other in shortest):
            shortest.append(value)
    return shortest


def run_residual_check(deletion: DeletionRequest) -> list[dict[str, Any]]:
    """Search for the request's stored identifiers, record the hits and clear the identifiers."""
    hits = find_residuals(list(deletion.identifiers or []))
    DeletionRequest.objects.filter(pk=deletion.pk).update(
        residual_hits=hits, residual_checked_at=timezone.now(), identifiers=[]
    )
    deletion.residual_hits = hits
    deletion.identifiers = []
    for hit in hits:
        logger.warning(
            "residual check for deletion %s: %d rows in %s.%s still contain an identifier",
            deletion.pk,
            hit["count"],
            hit["table"],
            hit["column"],
        )
    logger.info("residual check for deletion %s found %d columns", deletion.pk, len(hits))
    return hits


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
