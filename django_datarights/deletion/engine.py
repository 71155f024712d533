"""The erasure engine: erase one account in bounded, resumable batches.

``erase(deletion_id)`` walks the steps below. Each batch runs in its own transaction, locks the
request row, and stores the step's progress (counts, done flag, last primary key) in
``DeletionRequest.progress`` in that same transaction. A worker killed half way, or a database
error, therefore leaves a consistent record: the next run continues from the stored progress,
and a run after the erasure finished changes nothing.

Steps, in order: export archives, second-factor devices, django-axes records, consent history,
every registered dataset in ``registry.in_erasure_order()``, sessions, and last the user row,
in the same transaction that marks the request done. The final email, the residual check and
the ``erasure_completed`` signal follow that commit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, models, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from .. import signals
from ..adapter import get_adapter
from ..audit import record_event
from ..conf import app_settings
from ..deletion_paths import can_fast_delete, file_field_names
from ..files import collect_files, delete_files_on_commit
from ..models import AuditEvent, ConsentRecord, DeletionRequest, ExportRequest, LegalHold
from ..models.deletion import DeletionStatus
from ..registry import PersonalData, registry
from ..registry.anonymisers import Null
from .residual import collect_identifiers, run_residual_check
from .sessions import end_sessions_for

logger = logging.getLogger(__name__)

# Outcomes of one ``erase`` call.
DONE = "done"
NOTHING_TO_DO = "nothing to do"
NOT_DUE = "not due"
HELD = "held"
FAILED = "failed"
STOPPED = "stopped"

# Models the engine handles with their own step, whether or not they are registered. Audit
# events and the request itself are kept: they hold keyed hashes, never personal data, and the
# audit trail is a hash chain that deleting events would break.
_OWN_STEPS = (AuditEvent, DeletionRequest, ExportRequest, ConsentRecord)

PROTECTING = (models.PROTECT, models.RESTRICT)
MAX_CASCADE_DEPTH = 4


class ErasureBlocked(Exception):
    """A row that must stay protects a row the erasure would delete."""


@dataclass
class StepState:
    """Progress of one step, as stored under its name in ``DeletionRequest.progress``."""

    deleted: int = 0
    anonymised: int = 0
    cascaded: int = 0
    files: int = 0
    done: bool = False
    last_pk: Any = None
    cascaded_by_model: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_progress(cls, progress: dict[str, Any], name: str) -> StepState:
        stored = dict(progress.get(name) or {})
        state = cls()
        for key in ("deleted", "anonymised", "cascaded", "files", "done", "last_pk"):
            if key in stored:
                setattr(state, key, stored[key])
        state.cascaded_by_model = dict(stored.get("cascaded_by_model") or {})
        return state

    def as_progress(self) -> dict[str, Any]:
        return {
            "deleted": self.deleted,
            "anonymised": self.anonymised,
            "cascaded": self.cascaded,
            "files": self.files,
            "done": self.done,
            "last_pk": self.last_pk,
            "cascaded_by_model": self.cascaded_by_model,
        }


class _Stop(Exception):
    """The request was held, cancelled or finished by someone else between two batches."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


# --- Entry point ------------------------------------------------------------------------------


def erase(deletion_id: Any) -> str:
    """Erase the account of one deletion request, or continue an erasure that stopped.

    Returns one of the outcome constants. Does nothing for a request that is cancelled, failed
    (until an operator retries it), on legal hold, not yet due, or already done.
    """
    claimed = _claim(deletion_id)
    if isinstance(claimed, str):
        return claimed
    deletion, user = claimed
    try:
        _check_blockers(user)
        for name, step in _steps(user):
            _run_step(deletion.pk, name, step)
        return _finish(deletion.pk, user)
    except _Stop as stop:
        logger.info("erasure %s stopped: %s", deletion.pk, stop.outcome)
        return stop.outcome
    except Exception as exc:
        _fail(deletion.pk, exc)
        return FAILED


def _claim(deletion_id: Any) -> tuple[DeletionRequest, Any] | str:
    """Lock the request, check that it may run now, and mark it running."""
    user_model = get_user_model()
    residual_pending = False
    with transaction.atomic():
        try:
            deletion = DeletionRequest.objects.select_for_update().get(pk=deletion_id)
        except DeletionRequest.DoesNotExist:
            logger.warning("erasure %s: no such deletion request", deletion_id)
            return NOTHING_TO_DO
        if deletion.status == DeletionStatus.DONE:
            residual_pending = deletion.residual_checked_at is None and bool(deletion.identifiers)
        elif deletion.status not in (DeletionStatus.SCHEDULED, DeletionStatus.RUNNING):
            return NOTHING_TO_DO
        elif deletion.legal_hold:
            return HELD
        elif deletion.status == DeletionStatus.SCHEDULED and deletion.due_at > timezone.now():
            return NOT_DUE
        else:
            user = (
                user_model._default_manager.filter(pk=deletion.user_id).first()
                if deletion.user_id is not None
                else None
            )
            if user is None:
                # The account went some other way (deleted by hand); nothing is left to erase.
                deletion.status = DeletionStatus.DONE
                deletion.finished_at = timezone.now()
                deletion.save(update_fields=["status", "finished_at"])
                return NOTHING_TO_DO
            # NOTE: only a hold on the whole user is honoured here. A hold on a single record
            # (content type and object id) does not stop that row's deletion yet.
            if LegalHold.objects.filter(user=user, released_at__isnull=True).exists():
                return HELD
            first_start = deletion.started_at is None
            now = timezone.now()
            deletion.status = DeletionStatus.RUNNING
            deletion.started_at = deletion.started_at or now
            deletion.heartbeat_at = now
            deletion.attempts += 1
            if first_start or not deletion.identifiers:
                deletion.identifiers = collect_identifiers(user)
            deletion.save(
                update_fields=["status", "started_at", "heartbeat_at", "attempts", "identifiers"]
            )
            if first_start:
                signals.pre_erasure.send(sender=DeletionRequest, deletion=deletion, user=user)
            logger.info("erasure %s started, attempt %d", deletion.pk, deletion.attempts)
            return deletion, user
    if residual_pending:
        run_residual_check(deletion)
    return NOTHING_TO_DO


# --- Protected relations ----------------------------------------------------------------------


def find_blockers(user: Any) -> list[str]:
    """Return ``"app.Model.field"`` for every protecting relation that would stop the erasure.

    A relation with ``on_delete=PROTECT`` or ``RESTRICT`` blocks the erasure when rows exist
    through it to a row the erasure deletes: the user, a dataset erased by deletion, or a row
    they cascade to. The erasure clears such rows first, and so is not blocked, when the
    protecting model is registered for deletion through that field, or kept with that field
    anonymised to null.
    """
    blockers: list[str] = []
    user_model = get_user_model()
    roots: list[tuple[type[models.Model], models.QuerySet[Any]]] = []
    for declaration in _declarations():
        if not declaration.keeps_rows():
            roots.append((declaration.model, declaration.rows_for(user)))
    user_declaration = _user_declaration()
    if user_declaration is None or not user_declaration.keeps_rows():
        roots.append((user_model, user_model._default_manager.filter(pk=user.pk)))
    for model, queryset in roots:
        _walk_protecting(model, queryset, blockers, depth=0, seen=set())
    return sorted(set(blockers))


def _walk_protecting(
    model: type[models.Model],
    queryset: models.QuerySet[Any],
    blockers: list[str],
    depth: int,
    seen: set[type[models.Model]],
) -> None:
    for relation in model._meta.related_objects:
        if relation.many_to_many or not hasattr(relation, "on_delete"):
            continue
        related_model = relation.related_model
        related_field = relation.field
        if relation.on_delete in PROTECTING:
            if _removed_first(related_model, related_field.name):
                continue
            children = related_model._base_manager.filter(
                **{f"{related_field.name}__in": queryset.values("pk")}
            )
            if children.exists():
                blockers.append(f"{related_model._meta.label}.{related_field.name}")
        elif relation.on_delete is models.CASCADE and depth < MAX_CASCADE_DEPTH:
            if related_model in seen or not related_model._meta.related_objects:
                continue
            children = related_model._base_manager.filter(
                **{f"{related_field.name}__in": queryset.values("pk")}
            )
            _walk_protecting(related_model, children, blockers, depth + 1, seen | {model})


def _removed_first(model: type[models.Model], field_name: str) -> bool:
    """Return whether the erasure empties ``model.field_name`` before the protected row goes."""
    if not registry.is_registered(model):
        return False
    declaration = registry.get(model)
    first_part = (declaration.user_path or "").split("__")[0]
    if declaration.keeps_rows():
        anonymiser = declaration.anonymisers().get(field_name)
        return isinstance(anonymiser, Null)
    return first_part == field_name


def _check_blockers(user: Any) -> None:
    blockers = find_blockers(user)
    if blockers:
        raise ErasureBlocked(
            "Erasure stopped: rows of "
            + ", ".join(blockers)
            + " protect this account (on_delete=PROTECT or RESTRICT) and would stay behind. "
            "Register each model for deletion, or keep it with that field anonymised to "
            "anonymisers.null(), then retry."
        )


# --- Steps --------------------------------------------------------------------------------------

Step = Callable[[StepState, int], bool]


def _steps(user: Any) -> list[tuple[str, Step]]:
    """Return ``(progress name, batch function)`` pairs, in the order they run."""
    steps: list[tuple[str, Step]] = [
        ("django_datarights.ExportRequest", lambda state, size: _erase_exports(user, state)),
    ]
    if apps.is_installed("django_otp"):
        steps.append(("django_otp.devices", lambda state, size: _erase_otp_devices(user, state)))
    if apps.is_installed("axes"):
        identifiers = [user.get_username(), get_adapter().get_email(user)]
        steps.append(("axes.records", lambda state, size: _erase_axes_records(identifiers, state)))
    steps.append(
        (
            "django_datarights.ConsentRecord",
            lambda state, size: _erase_consent_history(user, state, size),
        )
    )
    for declaration in _declarations():
        if declaration.keeps_rows():
            steps.append((declaration.label(), _anonymise_batch(declaration, user)))
        else:
            steps.append((declaration.label(), _delete_batch(declaration, user)))
    steps.append(("sessions", lambda state, size: _end_sessions(user, state)))
    return steps


def _run_step(deletion_pk: Any, name: str, step: Step) -> None:
    """Run batches of one step until it is done, committing with the progress as it goes.

    A transaction runs further batches until ``ERASURE_TRANSACTION_SECONDS`` have passed, so
    a commit, which waits for the disk, comes at most a few times a second, and locks are held
    for about that long. A worker killed mid-transaction loses only that transaction's batches.
    """
    size = max(1, app_settings.ERASURE_BATCH_SIZE)
    budget = app_settings.ERASURE_TRANSACTION_SECONDS
    while True:
        with transaction.atomic():
            deletion = _lock_running(deletion_pk)
            state = StepState.from_progress(deletion.progress, name)
            if state.done:
                return
            started = time.monotonic()
            state.done = step(state, size)
            while not state.done and time.monotonic() - started < budget:
                state.done = step(state, size)
            deletion.progress = {**deletion.progress, name: state.as_progress()}
            deletion.heartbeat_at = timezone.now()
            deletion.save(update_fields=["progress", "heartbeat_at"])
        if state.done:
            logger.info(
                "erasure %s: %s done, %d deleted, %d anonymised, %d cascaded",
                deletion_pk,
                name,
                state.deleted,
                state.anonymised,
                state.cascaded,
            )
            return


def _lock_running(deletion_pk: Any) -> DeletionRequest:
    deletion = DeletionRequest.objects.select_for_update().get(pk=deletion_pk)
    if deletion.status != DeletionStatus.RUNNING:
        raise _Stop(NOTHING_TO_DO)
    if deletion.legal_hold:
        raise _Stop(HELD)
    return deletion


def _delete_batch(declaration: type[PersonalData], user: Any) -> Step:
    model = declaration.model
    using = router.db_for_write(model) or DEFAULT_DB_ALIAS
    # Decided once per run, because receivers and relations do not change between batches.
    # Rows nothing else has to see go with one DELETE; the others through the collector. The
    # names of stored files are read before either, and the files removed after the commit.
    single_statement = can_fast_delete(model, using, files_read_first=True)
    file_names = sorted({*declaration.files, *file_field_names(model)})

    def batch(state: StepState, size: int) -> bool:
        queryset = declaration.rows_for(user).order_by("pk")
        if single_statement and not queryset.query.distinct:
            return _delete_first_rows(queryset, state, size, file_names)
        pks = list(queryset.values_list("pk", flat=True)[:size])
        if not pks:
            return True
        rows = model._base_manager.using(using).filter(pk__in=pks)
        files = _files_of(rows, file_names)
        deleted, cascaded = _delete_rows(rows, state, single_statement=single_statement)
        state.deleted += deleted
        state.cascaded += cascaded
        state.files += len(files)
        delete_files_on_commit(files)
        return len(pks) < size

    return batch


def _delete_first_rows(
    queryset: models.QuerySet[Any], state: StepState, size: int, file_names: list[str]
) -> bool:
    """Delete the first ``size`` rows of ``queryset`` by primary key with one ``DELETE``.

    Only the primary key of the last row of the batch is read, and the statement deletes the
    rows up to it, so no list of keys travels to the database and back. Returns whether the
    queryset is now empty.
    """
    boundary = list(queryset.values_list("pk", flat=True)[size - 1 : size])
    last_pk = boundary[0] if boundary else None
    rows = queryset if last_pk is None else queryset.filter(pk__lte=last_pk)
    files = _files_of(rows, file_names)
    deleted, _cascaded = _delete_rows(rows.order_by(), state, single_statement=True)
    state.deleted += deleted
    state.files += len(files)
    delete_files_on_commit(files)
    return last_pk is None


def _delete_rows(
    rows: models.QuerySet[Any], state: StepState, *, single_statement: bool
) -> tuple[int, int]:
    """Delete one batch; return ``(rows of the model deleted, rows deleted by cascade)``."""
    if single_statement:
        return int(rows._raw_delete(rows.db)), 0
    return _collect_and_delete(rows, state)


def _anonymise_batch(declaration: type[PersonalData], user: Any) -> Step:
    model = declaration.model
    anonymisers = declaration.anonymisers()
    constant = {name: a.constant() for name, a in anonymisers.items() if a.row_independent}
    per_row = {name: a for name, a in anonymisers.items() if not a.row_independent}
    # Files of kept rows are removed and the field emptied, unless an anonymiser handles it.
    file_fields = [name for name in declaration.files if name not in anonymisers]

    def batch(state: StepState, size: int) -> bool:
        # Keyset on the primary key: a row anonymised once is never selected again, even when
        # the anonymisers leave it matching ``rows_for``.
        queryset = declaration.rows_for(user)
        if state.last_pk is not None:
            queryset = queryset.filter(pk__gt=state.last_pk)
        if not per_row and not declaration.files and not queryset.query.distinct:
            return _anonymise_first_rows(queryset.order_by("pk"), constant, state, size)
        pks = list(queryset.values_list("pk", flat=True)[:size])
        if not pks:
            return True
        rows = model._base_manager.filter(pk__in=pks).order_by("pk")
        files = _files_of(rows, list(declaration.files))
        if per_row:
            for instance in rows:
                for name, anonymiser in per_row.items():
                    attname = model._meta.get_field(name).attname  # type: ignore[union-attr]
                    setattr(
                        instance, attname, anonymiser(getattr(instance, attname), instance, name)
                    )
                instance.save(update_fields=list(per_row))
        updates = {**constant, **{name: "" for name in file_fields}}
        if updates:
            model._base_manager.filter(pk__in=pks).update(**updates)
        state.anonymised += len(pks)
        state.files += len(files)
        state.last_pk = _jsonable_pk(pks[-1])
        delete_files_on_commit(files)
        return len(pks) < size

    return batch


def _anonymise_first_rows(
    queryset: models.QuerySet[Any], updates: dict[str, Any], state: StepState, size: int
) -> bool:
    """Anonymise the first ``size`` rows of ``queryset`` with one ``UPDATE``.

    Only for anonymisers that give every row the same value: the statement updates the rows
    up to the primary key of the last row of the batch, so no list of keys travels to the
    database and back. Returns whether the queryset is now empty.
    """
    boundary = list(queryset.values_list("pk", flat=True)[size - 1 : size])
    done = not boundary
    if done:
        # The last batch: bound it by the highest key too, so ``last_pk`` is exact.
        boundary = list(queryset.order_by("-pk").values_list("pk", flat=True)[:1])
        if not boundary:
            return True
    rows = queryset.filter(pk__lte=boundary[0]).order_by()
    state.anonymised += rows.update(**updates) if updates else rows.count()
    state.last_pk = _jsonable_pk(boundary[0])
    return done


def _erase_exports(user: Any, state: StepState) -> bool:
    discard = _export_discarder()
    if discard is not None:
        # The export area removes archives and keys; the rows go with the user row.
        state.files += int(discard(user) or 0)
        return True
    # Fallback while the export area offers no discard flow: remove archives, then rows.
    storage = _export_storage()
    rows = ExportRequest.objects.filter(user=user)
    files = [
        (storage, name)
        for name in rows.exclude(storage_name="").values_list("storage_name", flat=True)
    ]
    state.deleted += rows.delete()[1].get(ExportRequest._meta.label, 0)
    state.files += len(files)
    delete_files_on_commit(files)
    return True


def _export_discarder() -> Callable[[Any], Any] | None:
    try:
        from ..export.flows import discard_exports_for
    except ImportError:
        return None
    return discard_exports_for


def _export_storage() -> Storage:
    alias = app_settings.EXPORT_STORAGE
    return storages[alias if alias in settings.STORAGES else "default"]


def _erase_otp_devices(user: Any, state: StepState) -> bool:
    from django_otp import devices_for_user

    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        state.deleted += 1
    return True


def _erase_axes_records(identifiers: Iterable[str], state: StepState) -> bool:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    names = [value for value in identifiers if value]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        deleted, _by_model = model.objects.filter(username__in=names).delete()
        state.deleted += deleted
    return True


def _erase_consent_history(user: Any, state: StepState, size: int) -> bool:
    ConsentRecord.objects.filter(actor=user).update(actor=None)
    pks = list(
        ConsentRecord.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)[:size]
    )
    if not pks:
        return True
    rows = ConsentRecord.objects.filter(pk__in=pks)
    if app_settings.KEEP_CONSENT_PROOF:
        # ``subject`` stays: a keyed hash that proves a choice was made without naming anyone.
        state.anonymised += rows.update(user=None, ip_address="")
    else:
        state.deleted += rows.delete()[0]
    return len(pks) < size


def _end_sessions(user: Any, state: StepState) -> bool:
    state.deleted += end_sessions_for(user)
    return True


# --- The user row -------------------------------------------------------------------------------


def _finish(deletion_pk: Any, user: Any) -> str:
    """Remove the user row and mark the request done in one transaction."""
    user_model = get_user_model()
    address = get_adapter().get_email(user)
    with transaction.atomic():
        deletion = _lock_running(deletion_pk)
        state = StepState.from_progress(deletion.progress, user_model._meta.label)
        user_declaration = _user_declaration()
        locked_user = user_model._default_manager.select_for_update().get(pk=user.pk)
        if user_declaration is not None and user_declaration.keeps_rows():
            _anonymise_user(locked_user, user_declaration)
            state.anonymised += 1
        else:
            rows = user_model._default_manager.filter(pk=user.pk)
            deleted, cascaded = _collect_and_delete(rows, state)
            state.deleted += deleted
            state.cascaded += cascaded
        state.done = True
        progress = {**deletion.progress, user_model._meta.label: state.as_progress()}
        counts = _counts(progress)
        DeletionRequest.objects.filter(pk=deletion.pk).update(
            user=None,
            status=DeletionStatus.DONE,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            progress=progress,
            error="",
        )
        deletion.refresh_from_db()
        record_event(
            "deletion.executed",
            subject=user.pk,
            object_ref=deletion.pk,
            details={"counts": counts, "attempts": deletion.attempts},
        )
        transaction.on_commit(lambda: _after_erasure(deletion, address, counts))
    logger.info("erasure %s done", deletion.pk)
    return DONE


def _anonymise_user(user: Any, declaration: type[PersonalData]) -> None:
    for name, anonymiser in declaration.anonymisers().items():
        attname = user._meta.get_field(name).attname
        setattr(user, attname, anonymiser(getattr(user, attname), user, name))
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _after_erasure(
    deletion: DeletionRequest, address: str, counts: dict[str, dict[str, int]]
) -> None:
    """Send the final email, run the residual check and send ``erasure_completed``.

    Runs once, after the commit that marked the request done, so a second delivery of the task
    sends no second email.
    """
    # NOTE: a worker killed between that commit and this call sends no final email; the
    # address exists only in this process by then. The residual check still runs in the sweep.
    from .notifications import send_final_email

    if send_final_email(address, counts):
        DeletionRequest.objects.filter(pk=deletion.pk, final_email_sent_at__isnull=True).update(
            final_email_sent_at=timezone.now()
        )
    run_residual_check(deletion)
    signals.erasure_completed.send(sender=DeletionRequest, deletion=deletion, counts=counts)


# --- Failures -----------------------------------------------------------------------------------


def _fail(deletion_pk: Any, exc: Exception) -> None:
    """Record a failed erasure: status failed, a reason naming models, never values."""
    if isinstance(exc, ErasureBlocked):
        reason = str(exc)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        labels = sorted({type(obj)._meta.label for obj in _protected_objects(exc)})
        reason = (
            f"Erasure stopped: rows of {', '.join(labels)} protect rows it must delete "
            "(on_delete=PROTECT or RESTRICT). Register or anonymise them, then retry."
        )
    else:
        # Database error messages can quote row values, so only the type is recorded.
        reason = (
            f"Erasure stopped by {type(exc).__name__}; the progress so far is kept. "
            "Retry to continue."
        )
    logger.error("erasure %s failed: %s", deletion_pk, type(exc).__name__)
    with transaction.atomic():
        deletion = DeletionRequest.objects.select_for_update().get(pk=deletion_pk)
        deletion.status = DeletionStatus.FAILED
        deletion.error = reason
        deletion.save(update_fields=["status", "error"])
        record_event(
            "deletion.failed",
            subject=deletion.user_id,
            object_ref=deletion.pk,
            outcome="failed",
            details={"error": type(exc).__name__},
        )


def _protected_objects(exc: ProtectedError | RestrictedError) -> Iterable[Any]:
    if isinstance(exc, ProtectedError):
        return exc.protected_objects
    return exc.restricted_objects


# --- Helpers --------------------------------------------------------------------------------------


def _declarations() -> list[type[PersonalData]]:
    """Registered datasets other than the user model and the models with their own step."""
    user_model = get_user_model()
    return [
        declaration
        for declaration in registry.in_erasure_order()
        if declaration.model is not user_model and declaration.model not in _OWN_STEPS
    ]


def _user_declaration() -> type[PersonalData] | None:
    user_model = get_user_model()
    return registry.get(user_model) if registry.is_registered(user_model) else None


def _collect_and_delete(rows: models.QuerySet[Any], state: StepState) -> tuple[int, int]:
    """Delete ``rows`` through Django's ``Collector``, honouring signals and ``on_delete``.

    Returns ``(rows of the model deleted, rows deleted by cascade)``. Files of cascaded rows
    are removed after the commit too.
    """
    using = router.db_for_write(rows.model) or DEFAULT_DB_ALIAS
    collector = Collector(using=using)
    collector.collect(rows)
    cascaded_files = _files_in_collector(collector, rows.model)
    total, by_model = collector.delete()
    own = by_model.get(rows.model._meta.label, 0)
    for label, count in by_model.items():
        if label != rows.model._meta.label and count:
            state.cascaded_by_model[label] = state.cascaded_by_model.get(label, 0) + count
    state.files += len(cascaded_files)
    delete_files_on_commit(cascaded_files, using=using)
    return own, total - own


def _files_in_collector(
    collector: Collector, root: type[models.Model]
) -> list[tuple[Storage, str]]:
    files: list[tuple[Storage, str]] = []
    for model, instances in collector.data.items():
        if model is root:
            continue
        names = file_field_names(model)
        for instance in instances if names else ():
            files.extend(collect_files(instance, names))
    for queryset in collector.fast_deletes:
        if queryset.model is root:
            continue
        names = file_field_names(queryset.model)
        if names:
            files.extend(_files_of(queryset, names))
    return files


def _files_of(rows: models.QuerySet[Any], names: Iterable[str]) -> list[tuple[Storage, str]]:
    """Return ``(storage, name)`` of every stored file in the named file fields of ``rows``.

    Only rows with at least one stored file are read, as plain values: an empty name is no file.
    """
    names = list(names)
    if not names:
        return []
    storages = [cast(Any, rows.model._meta.get_field(name)).storage for name in names]
    with_file = Q()
    for name in names:
        with_file |= Q(**{f"{name}__gt": ""})
    found: list[tuple[Storage, str]] = []
    for stored in rows.order_by().filter(with_file).values_list(*names).iterator():
        pairs = zip(storages, stored, strict=True)
        found.extend((storage, value) for storage, value in pairs if value)
    return found


def _counts(progress: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {
            "deleted": int(entry.get("deleted", 0)),
            "anonymised": int(entry.get("anonymised", 0)),
            "cascaded": int(entry.get("cascaded", 0)),
        }
        for name, entry in progress.items()
        if isinstance(entry, dict)
    }


def _jsonable_pk(value: Any) -> Any:
    return value if isinstance(value, (int, str)) else str(value)


# --- Dry run --------------------------------------------------------------------------------------


def plan(user: Any) -> dict[str, dict[str, int]]:
    """Return, per dataset, how many rows an erasure of ``user`` would delete and anonymise.

    Cascades are counted with Django's ``Collector`` without deleting anything, so a dry run
    loads the rows a real run would load. The user row is listed last with its own cascades.
    """
    result: dict[str, dict[str, int]] = {}
    for declaration in _declarations():
        rows = declaration.rows_for(user)
        if declaration.keeps_rows():
            result[declaration.label()] = {"deleted": 0, "anonymised": rows.count(), "cascaded": 0}
        else:
            own, cascaded = _count_collected(declaration.model, rows)
            result[declaration.label()] = {"deleted": own, "anonymised": 0, "cascaded": cascaded}
    consent = ConsentRecord.objects.filter(user=user).count()
    result[ConsentRecord._meta.label] = (
        {"deleted": 0, "anonymised": consent, "cascaded": 0}
        if app_settings.KEEP_CONSENT_PROOF
        else {"deleted": consent, "anonymised": 0, "cascaded": 0}
    )
    user_model = get_user_model()
    user_declaration = _user_declaration()
    if user_declaration is not None and user_declaration.keeps_rows():
        result[user_model._meta.label] = {"deleted": 0, "anonymised": 1, "cascaded": 0}
    else:
        result[user_model._meta.label] = {
            "deleted": 1,
            "anonymised": 0,
            "cascaded": _count_user_cascades(user),
        }
    return result


def _count_user_cascades(user: Any) -> int:
    """Count rows of unregistered models that deleting the user row removes by cascade.

    Registered models are counted under their own dataset. Only direct relations are counted,
    because collecting the user row would stop at protected rows that the erasure anonymises
    before it gets there.
    """
    total = 0
    for relation in get_user_model()._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or registry.is_registered(model) or model in _OWN_STEPS:
            continue
        if getattr(relation, "on_delete", None) is models.CASCADE:
            total += model._base_manager.filter(**{relation.field.name: user.pk}).count()
    return total


def _count_collected(model: type[models.Model], rows: models.QuerySet[Any]) -> tuple[int, int]:
    collector = Collector(using=router.db_for_write(model) or DEFAULT_DB_ALIAS)
    collector.collect(rows)
    own = 0
    cascaded = 0
    for collected_model, instances in collector.data.items():
        if collected_model is model:
            own += len(instances)
        else:
            cascaded += len(instances)
    for queryset in collector.fast_deletes:
        if queryset.model is model:
            own += queryset.count()
        else:
            cascaded += queryset.count()
    return own, cascaded
