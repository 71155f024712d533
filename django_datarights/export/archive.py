"""Build a user's export archive: a ZIP with JSON and CSV per dataset, the user's files,
``manifest.json`` and an ``index.html`` to read offline.

The builder writes into any seekable binary file object (a temporary file in production), so
the archive is never held in memory. Rows are read with ``iterator(chunk_size=...)`` and each
dataset is read from the database once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import posixpath
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice, repeat
from typing import IO, Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..models import Purpose, RetentionPolicy
from ..models.retention import RetentionAction
from ..registry import PersonalData, registry
from ..templatetags.datarights import period as format_period
from .formats import (
    GENERIC_COLUMN_CONVERTERS,
    SCHEMA_VERSION,
    ColumnConverter,
    CsvDatasetWriter,
    JsonDatasetWriter,
    column_converters,
)

logger = logging.getLogger(__name__)

COPY_BUFFER = 1024 * 1024
# Level 1 deflate: text still shrinks several times, at a fraction of the default's CPU time.
COMPRESS_LEVEL = 1
_DEFAULT_EXPORT_ROW = PersonalData.export_row.__func__  # type: ignore[attr-defined]
STATUS_COMPLETE = "complete"

#: Called after each dataset with ``(datasets done, datasets in total)``.
ProgressCallback = Callable[[int, int], None]


class DatasetFailed(Exception):
    """One dataset could not be exported; the archive must not be offered as complete.

    ``dataset`` is the dataset's label (``app_label.ModelName``) and ``category`` its readable
    name, which the user-facing message names. The original exception is the cause.
    """

    def __init__(self, dataset: str, category: str, reason: str) -> None:
        super().__init__(f"dataset {dataset} failed: {reason}")
        self.dataset = dataset
        self.category = category
        self.reason = reason


@dataclass
class DatasetSummary:
    name: str
    label: str
    category: str
    rows: int = 0
    files: int = 0
    status: str = STATUS_COMPLETE


@dataclass
class ArchiveResult:
    """Manifest content and totals of a finished archive."""

    manifest: dict[str, Any]
    datasets: list[DatasetSummary] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(dataset.rows for dataset in self.datasets)


class _HashingWriter:
    """Pass writes through to a ZIP member while computing their SHA-256."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.target.write(data)

    def flush(self) -> None:
        pass

    # TextIOWrapper checks these before writing.
    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False


def file_path_in_archive(
    declaration: type[PersonalData], pk: Any, field_name: str, stored_name: str
) -> str:
    """Return where a stored file goes inside the archive, unique per row and field."""
    return f"files/{declaration.dataset_name()}/{pk}/{field_name}/{posixpath.basename(stored_name)}"


def build_archive(
    user: Any,
    target: IO[bytes],
    *,
    declarations: Iterable[type[PersonalData]] | None = None,
    progress: ProgressCallback | None = None,
) -> ArchiveResult:
    """Write the export archive of ``user`` into ``target`` and return its manifest.

    Raises ``DatasetFailed`` naming the first dataset that cannot be exported; ``target`` then
    contains an unfinished archive the caller must discard.
    """
    chosen = list(declarations if declarations is not None else registry.in_export_order())
    hashes: dict[str, str] = {}
    summaries: list[DatasetSummary] = []
    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL, allowZip64=True
    ) as archive:
        for done, declaration in enumerate(chosen, start=1):
            summary = DatasetSummary(
                name=declaration.dataset_name(),
                label=declaration.label(),
                category=str(declaration.display_category()),
            )
            try:
                _write_dataset(archive, declaration, user, summary, hashes)
            except DatasetFailed:
                raise
            except Exception as exc:
                logger.exception("export dataset %s failed", declaration.label())
                raise DatasetFailed(
                    declaration.label(), summary.category, f"{type(exc).__name__}: {exc}"
                ) from exc
            summaries.append(summary)
            logger.debug(
                "export dataset %s: %d rows, %d files", summary.label, summary.rows, summary.files
            )
            if progress is not None:
                progress(done, len(chosen))

        generated_at = timezone.now()
        index_html = render_index(chosen, summaries, generated_at)
        _write_bytes(archive, "index.html", index_html.encode(), hashes)
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "generated_at": generated_at.isoformat(),
            "status": STATUS_COMPLETE,
            "datasets": [
                {
                    "name": s.name,
                    "label": s.label,
                    "category": s.category,
                    "rows": s.rows,
                    "files": s.files,
                    "status": s.status,
                    "json": f"data/{s.name}.json",
                    "csv": f"data/{s.name}.csv",
                }
                for s in summaries
            ],
            "sha256": dict(sorted(hashes.items())),
        }
        archive.writestr("manifest.json", _manifest_bytes(manifest))
    return ArchiveResult(manifest=manifest, datasets=summaries)


def _manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode()


def _write_dataset(
    archive: zipfile.ZipFile,
    declaration: type[PersonalData],
    user: Any,
    summary: DatasetSummary,
    hashes: dict[str, str],
) -> None:
    columns = declaration.export_columns()
    attnames = [attname for attname, _label in columns]
    file_attnames = {_attname(declaration, name) for name in declaration.files}
    file_columns = [i for i, attname in enumerate(attnames) if attname in file_attnames]
    json_name = f"data/{summary.name}.json"
    csv_name = f"data/{summary.name}.csv"

    rows, converters = _rows_and_converters(declaration, user, attnames, bool(file_columns))
    json_steps = [(i, convert) for i, (convert, _csv) in enumerate(converters) if convert]
    csv_steps = [(i, convert) for i, (_json, convert) in enumerate(converters) if convert]
    block_size = app_settings.EXPORT_CHUNK_SIZE

    # A ZIP accepts one open member at a time, so the CSV goes to a temporary file during the
    # single pass over the rows and is copied in afterwards.
    with tempfile.TemporaryFile() as csv_spool:
        csv_writer = CsvDatasetWriter(csv_spool, [label for _attname, label in columns])
        with archive.open(_member_info(json_name), "w", force_zip64=True) as member:
            hashing = _HashingWriter(member)
            json_writer = JsonDatasetWriter(
                hashing,
                dataset=summary.label,
                category=summary.category,
                columns=[{"name": attname, "label": label} for attname, label in columns],
            )
            # Rows are converted a block at a time, column by column, so the per-row work
            # runs in C (map, zip, the JSON encoder, csv.writerows) instead of a Python loop.
            while block := list(islice(rows, block_size)):
                values = _block_columns(block, declaration, attnames, file_columns)
                for i, convert in json_steps:
                    values[i] = convert(values[i])
                json_writer.write_rows(
                    map(dict, map(zip, repeat(attnames), _block_rows(values, len(block))))
                )
                for i, convert in csv_steps:
                    values[i] = convert(values[i])
                csv_writer.write_cell_rows(_block_rows(values, len(block)))
            json_writer.close()
        hashes[json_name] = hashing.digest.hexdigest()
        summary.rows = json_writer.count
        csv_writer.close()
        csv_spool.seek(0)
        _copy_into(archive, csv_name, csv_spool, hashes)

    if declaration.files:
        summary.files = _write_files(archive, declaration, user, hashes)


def _block_columns(
    block: list[tuple[Any, ...]],
    declaration: type[PersonalData],
    attnames: list[str],
    file_columns: list[int],
) -> list[tuple[Any, ...]]:
    """Turn a block of rows into columns; file columns get their path inside the archive.

    When there are file columns, each row starts with its pk, which is used and dropped here;
    a dataset without columns gives no columns.
    """
    if not attnames:
        return []
    columns = list(zip(*block, strict=True))
    if not file_columns:
        return columns
    pks, columns = columns[0], columns[1:]
    archive_path = partial(_archive_file_path, declaration)
    for i in file_columns:
        columns[i] = tuple(map(archive_path, pks, repeat(attnames[i]), columns[i]))
    return columns


def _block_rows(columns: list[tuple[Any, ...]], count: int) -> Iterable[tuple[Any, ...]]:
    """Turn columns back into ``count`` rows; a dataset without columns still has its rows."""
    if not columns:
        return [()] * count
    return zip(*columns, strict=True)


def _attname(declaration: type[PersonalData], name: str) -> str:
    model_field = cast(Any, declaration.model._meta.get_field(name))
    return str(model_field.attname)


#: One user's rows of a dataset, as tuples in column order, led by the pk when it was asked for.
Rows = Iterator[tuple[Any, ...]]


def _rows_and_converters(
    declaration: type[PersonalData], user: Any, attnames: list[str], with_pk: bool
) -> tuple[Rows, list[tuple[ColumnConverter, ColumnConverter]]]:
    """Return the user's rows in primary key order and each column's converters.

    A declaration that overrides ``export_row`` may return values of any type, so its columns
    get the generic converters. Other declarations are read with ``values_list``, and each
    column's converters follow its model field.
    """
    chunk_size = app_settings.EXPORT_CHUNK_SIZE
    queryset = declaration.rows_for(user)
    overridden = getattr(declaration.export_row, "__func__", None) is not _DEFAULT_EXPORT_ROW
    if overridden:
        return (
            _instance_rows(declaration, queryset, attnames, chunk_size, with_pk),
            [GENERIC_COLUMN_CONVERTERS] * len(attnames),
        )
    fields = {
        model_field.attname: model_field for model_field in declaration.model._meta.concrete_fields
    }
    converters = [column_converters(fields.get(attname)) for attname in attnames]
    # Tuples skip building a model instance per row, which is most of the cost of a large export.
    # With no columns, the pk alone keeps the row count; _block_columns drops it.
    names = ["pk", *attnames] if with_pk or not attnames else attnames
    rows = queryset.values_list(*names).iterator(chunk_size=chunk_size)
    return rows, converters


def _instance_rows(
    declaration: type[PersonalData],
    queryset: Any,
    attnames: list[str],
    chunk_size: int,
    with_pk: bool,
) -> Rows:
    for instance in queryset.iterator(chunk_size=chunk_size):
        raw = declaration.export_row(instance)
        values = tuple(raw.get(attname) for attname in attnames)
        yield (instance.pk, *values) if with_pk else values


def _archive_file_path(
    declaration: type[PersonalData], pk: Any, attname: str, value: Any
) -> str | None:
    """Return the archive path for a file field's value (a ``FieldFile`` or a stored name)."""
    name = value.name if isinstance(value, FieldFile) else value
    if not name:
        return None
    return file_path_in_archive(declaration, pk, attname, name)


def _write_files(
    archive: zipfile.ZipFile, declaration: type[PersonalData], user: Any, hashes: dict[str, str]
) -> int:
    count = 0
    names = list(declaration.files)
    # Only rows with at least one stored file: an empty name is no file, so most rows are skipped
    # in the database instead of being loaded as model instances.
    with_file = Q()
    for name in names:
        with_file |= Q(**{f"{name}__gt": ""})
    queryset = declaration.rows_for(user).filter(with_file).only("pk", *names)
    for instance in queryset.iterator(chunk_size=app_settings.EXPORT_CHUNK_SIZE):
        for name in names:
            field_file = getattr(instance, name)
            if not field_file or not field_file.name:
                continue
            path = file_path_in_archive(
                declaration,
                instance.pk,
                _attname(declaration, name),
                field_file.name,
            )
            # A missing file fails the dataset, because the row refers to a file the user must get.
            with field_file.storage.open(field_file.name, "rb") as source:
                _copy_into(archive, path, source, hashes, compress=False)
            count += 1
    return count


def _copy_into(
    archive: zipfile.ZipFile,
    name: str,
    source: IO[bytes],
    hashes: dict[str, str],
    *,
    compress: bool = True,
) -> None:
    # Uploads (images, PDFs, office files) are mostly compressed already, so they are stored.
    info = _member_info(name, compress=compress)
    with archive.open(info, "w", force_zip64=True) as member:
        hashing = _HashingWriter(member)
        shutil.copyfileobj(source, hashing, COPY_BUFFER)
    hashes[name] = hashing.digest.hexdigest()


def _member_info(name: str, *, compress: bool = True) -> zipfile.ZipInfo:
    """Return a member's header with the build time as its date, like ``writestr`` gives."""
    info = zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6])
    if not compress:
        info.compress_type = zipfile.ZIP_STORED
        return info
    info.compress_type = zipfile.ZIP_DEFLATED
    # The archive's level applies only to members opened by name, and a ZipInfo otherwise
    # gets zlib's default level 6. Python 3.13 made the attribute public.
    if hasattr(info, "compress_level"):
        info.compress_level = COMPRESS_LEVEL
    else:
        info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
    return info


def _write_bytes(archive: zipfile.ZipFile, name: str, data: bytes, hashes: dict[str, str]) -> None:
    archive.writestr(name, data)
    hashes[name] = hashlib.sha256(data).hexdigest()


def render_index(
    declarations: list[type[PersonalData]], summaries: list[DatasetSummary], generated_at: Any
) -> str:
    """Render ``index.html``: each category, why it is held, how long it is kept, its files."""
    labels = [declaration.label() for declaration in declarations]
    policies: dict[str, list[Any]] = {}
    for policy in RetentionPolicy.objects.filter(model__in=labels, paused=False).order_by("key"):
        policies.setdefault(policy.model, []).append(policy)

    slugs = {declaration.purpose for declaration in declarations if declaration.purpose}
    purposes = {purpose.slug: purpose for purpose in Purpose.objects.filter(slug__in=slugs)}

    rows = []
    by_label = {summary.label: summary for summary in summaries}
    for declaration in declarations:
        summary = by_label[declaration.label()]
        purpose = purposes.get(declaration.purpose or "")
        rows.append(
            {
                "summary": summary,
                "description": declaration.description,
                "purpose_name": purpose.name if purpose else "",
                "purpose_description": purpose.description if purpose else "",
                "legal_basis": purpose.get_legal_basis_display() if purpose else "",
                "retention": retention_texts(declaration, policies.get(declaration.label(), [])),
            }
        )
    return render_to_string(
        "django_datarights/export/archive_index.html",
        {"datasets": rows, "generated_at": generated_at, "site_name": app_settings.SITE_NAME},
    )


def retention_texts(declaration: type[PersonalData], policies: list[Any]) -> list[str]:
    """Describe how long a dataset is kept, from its policies in the database or in code."""
    texts = []
    if policies:
        for policy in policies:
            texts.append(
                _retention_text(
                    declaration, policy.get_action_display(), policy.period, policy.date_field
                )
            )
    else:
        for rule in declaration.retention_rules():
            action = RetentionAction(rule.action).label
            texts.append(_retention_text(declaration, action, rule.period, rule.date_field))
    if not texts:
        texts.append(_("Kept while your account exists."))
    return texts


def _retention_text(
    declaration: type[PersonalData], action: Any, period: Any, date_field: str
) -> str:
    """Return e.g. "Delete 10 years after the record's “issued at” date" for a reader."""
    try:
        model_field = declaration.model._meta.get_field(date_field)
    except FieldDoesNotExist:
        model_field = None
    field_name = str(getattr(model_field, "verbose_name", date_field))
    return str(
        _("%(action)s %(period)s after the record's “%(field)s” date")
        % {"action": action, "period": format_period(period), "field": field_name}
    )
