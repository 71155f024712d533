"""Deleting and anonymising one batch of rows, with their stored files."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.deletion import Collector

from ..deletion_paths import can_fast_delete, file_field_names
from ..files import collect_files, delete_files_on_commit
from ..registry import PersonalData

logger = logging.getLogger(__name__)

__all__ = [
    "already_anonymised",
    "anonymise_rows",
    "can_fast_delete",
    "delete_due_range",
    "delete_rows",
    "file_field_names",
]


def delete_rows(model: type[models.Model], pks: Sequence[Any], *, using: str, fast: bool) -> int:
    """Delete the rows with ``pks`` and return how many rows of ``model`` went.

    The rows go through Django's collector, so signals, cascades and ``SET_NULL`` are honoured.
    The files of every collected row, cascaded rows included, are removed from storage once the
    transaction commits.
    """
    queryset = model._base_manager.using(using).filter(pk__in=list(pks))
    if fast:
        return int(queryset._raw_delete(using))
    collector = Collector(using=using, origin=queryset)
    collector.collect(queryset)
    files = _collected_files(collector)
    _total, per_model = collector.delete()
    delete_files_on_commit(files, using=using)
    return int(per_model.get(model._meta.label, 0))


def delete_due_range(due_rows: QuerySet[Any], *, after: Any, through: Any, using: str) -> int:
    """Delete the due rows with primary keys in ``(after, through]`` in one statement.

    The engine has just read the primary keys of this batch in order, so the range holds
    exactly those rows, and the ``DELETE`` needs no list of keys as parameters.
    """
    batch = due_rows.filter(pk__lte=through)
    if after is not None:
        batch = batch.filter(pk__gt=after)
    return int(batch.order_by()._raw_delete(using))


def _collected_files(collector: Collector) -> list[tuple[Storage, str]]:
    files: list[tuple[Storage, str]] = []
    for model, instances in collector.data.items():
        names = file_field_names(model)
        if names:
            for instance in instances:
                files.extend(collect_files(instance, names))
    # Querysets the collector deletes with one statement still have files to find.
    for queryset in collector.fast_deletes:
        names = file_field_names(queryset.model)
        if names:
            for instance in queryset.only("pk", *names):
                files.extend(collect_files(instance, names))
    return files


def anonymise_rows(
    model: type[models.Model], declaration: type[PersonalData], pks: Sequence[Any], *, using: str
) -> int:
    """Overwrite the declaration's anonymised fields on the rows with ``pks``; return the count.

    Row-independent anonymisers are applied with one ``UPDATE``; the others are computed per
    row and written with ``bulk_update``. A file field that is anonymised loses its stored file
    after the commit.
    """
    anonymisers = declaration.anonymisers()
    queryset = model._base_manager.using(using).filter(pk__in=list(pks))
    file_names = [name for name in anonymisers if name in file_field_names(model)]
    if file_names:
        files = []
        for instance in queryset.only("pk", *file_names):
            files.extend(collect_files(instance, file_names))
        delete_files_on_commit(files, using=using)

    constant = {name: a.constant() for name, a in anonymisers.items() if a.row_independent}
    per_row = {name: a for name, a in anonymisers.items() if not a.row_independent}
    count = len(pks)
    if constant:
        count = queryset.update(**constant)
    if per_row:
        instances = list(queryset.only("pk", *per_row))
        for instance in instances:
            for name, anonymiser in per_row.items():
                setattr(instance, name, anonymiser(getattr(instance, name), instance, name))
        model._base_manager.using(using).bulk_update(instances, list(per_row))
        count = len(instances)
    return count


def already_anonymised(declaration: type[PersonalData]) -> Q | None:
    """Return the ``Q`` of rows that hold every constant anonymised value already.

    Only possible when every anonymiser is row-independent; later runs then skip rows an
    earlier run anonymised instead of writing the same values again.
    """
    anonymisers = declaration.anonymisers()
    if not anonymisers or not all(a.row_independent for a in anonymisers.values()):
        return None
    condition = Q()
    for name, anonymiser in anonymisers.items():
        value = anonymiser.constant()
        condition &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return condition
