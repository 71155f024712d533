"""The choice of delete path for a batch of rows: one ``DELETE`` statement, or the collector.

The erasure engine and the retention engine both delete rows in batches, and both take the same
single-statement path when nothing else has to see the rows before they go.
"""

from __future__ import annotations

from django.db import models
from django.db.models import signals
from django.db.models.deletion import Collector


def file_field_names(model: type[models.Model]) -> list[str]:
    """Return the names of the concrete ``FileField`` (and ``ImageField``) fields of ``model``."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def can_fast_delete(
    model: type[models.Model], using: str, *, files_read_first: bool = False
) -> bool:
    """Return whether one ``DELETE`` statement may remove rows of ``model``.

    That is the case when nothing has to see the rows first. The model has no ``pre_delete``
    or ``post_delete`` receiver and no file field whose stored file must be removed too,
    unless ``files_read_first`` is true: the caller then reads the stored names first.
    Django's collector checks the rest: no relation pointing at the model cascades, sets null,
    protects or restricts, no generic relation, and no multi-table inheritance parent.
    """
    if file_field_names(model) and not files_read_first:
        return False
    if signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model):
        return False
    return Collector(using=using, origin=None).can_fast_delete(
        model._base_manager.using(using).none()
    )
