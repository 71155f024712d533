import csv
import hashlib
import io
import json
import zipfile
from datetime import datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from django_datarights.export import flows
from django_datarights.models import ExportRequest, RetentionPolicy
from django_datarights.models.exports import ExportStatus
from django_datarights.registry import PersonalData, registry
from example_project.shop.models import (
    ActivityLog,
    Address,
    Invoice,
    Message,
    Order,
    OrderLine,
    Profile,
)

from .conftest import dataset_rows, read_archive


@pytest.fixture
def built(user, other_user, shop_data, django_capture_on_commit_callbacks):
    """Build the export of ``user`` while ``other_user`` has the same kinds of rows."""

    def build() -> ExportRequest:
        with django_capture_on_commit_callbacks(execute=True):
            export = flows.request_export(user)
        export.refresh_from_db()
        return export

    shop_data(user)
    shop_data(other_user)
    return build


def test_export_becomes_ready(built):
    export = built()
    assert export.status == ExportStatus.READY
    assert export.progress == 100
    assert export.is_downloadable


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (Profile, "user"),
        (Address, "user"),
        (Order, "customer"),
        (OrderLine, "order__customer"),
        (Invoice, "customer"),
        (Message, "author"),
        (ActivityLog, "user"),
    ],
)
def test_dataset_holds_exactly_users_rows(built, user, model, path):
    export = built()
    archive = read_archive(export)
    rows = dataset_rows(archive, model._meta.label_lower)
    expected = set(model.objects.filter(**{path: user}).values_list("pk", flat=True))
    assert {row["id"] for row in rows} == expected
    assert expected


def test_manifest_counts_match_database(built, user):
    export = built()
    manifest = json.loads(read_archive(export).read("manifest.json"))
    generated_at = datetime.fromisoformat(manifest["generated_at"])
    for entry in manifest["datasets"]:
        declaration = registry.get(entry["label"])
        rows = declaration.rows_for(user)
        if entry["label"] == "django_datarights.AuditEvent":
            # The "built" event is recorded after the archive is written.
            rows = rows.filter(created_at__lte=generated_at)
        assert entry["rows"] == rows.count(), entry["label"]
        assert entry["status"] == "complete"
    assert manifest["status"] == "complete"
    assert manifest["schema_version"] == 1


def test_manifest_lists_every_registered_dataset(built):
    manifest = json.loads(read_archive(built()).read("manifest.json"))
    assert [entry["label"] for entry in manifest["datasets"]] == [
        d.label() for d in registry.in_export_order()
    ]


def test_manifest_checksums_match_files(built):
    archive = read_archive(built())
    manifest = json.loads(archive.read("manifest.json"))
    names = set(archive.namelist()) - {"manifest.json"}
    assert set(manifest["sha256"]) == names
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name


def test_uploaded_files_included(built, user):
    archive = read_archive(built())
    profile = dataset_rows(archive, "shop.profile")[0]
    assert archive.read(profile["id_document"]) == b"%PDF-1.4 invented document"
    invoice = dataset_rows(archive, "shop.invoice")[0]
    assert archive.read(invoice["pdf"]) == b"%PDF-1.4 invented invoice"


def test_other_users_files_excluded(built, other_user):
    archive = read_archive(built())
    other_profile = Profile.objects.get(user=other_user)
    assert not [
        name for name in archive.namelist() if f"/{other_profile.pk}/" in name and "profile" in name
    ]


def test_account_dataset_has_no_password(built, user):
    archive = read_archive(built())
    account = dataset_rows(archive, "auth.user")
    assert len(account) == 1
    assert account[0]["email"] == user.email
    assert "password" not in account[0]


def test_csv_escapes_formula_in_message(built):
    archive = read_archive(built())
    text = archive.read("data/shop.message.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert '\'=HYPERLINK("x")' in rows[1]


def test_csv_keeps_non_ascii_name(make_user, shop_data, django_capture_on_commit_callbacks):
    person = make_user("zoe", first_name="Zoë", last_name="Ørsted")
    shop_data(person)
    with django_capture_on_commit_callbacks(execute=True):
        export = flows.request_export(person)
    export.refresh_from_db()
    text = read_archive(export).read("data/auth.user.csv").decode("utf-8-sig")
    assert "Zoë" in text
    assert "Ørsted" in text


def test_decimal_exported_as_text(built):
    orders = dataset_rows(read_archive(built()), "shop.order")
    assert orders[0]["total"] == "19.90"


def test_index_describes_categories(built):
    html = read_archive(built()).read("index.html").decode()
    assert "Support messages" in html
    assert "Messages you sent to customer support" in html
    assert "Delete 1 year after the record" in html
    assert "“sent at” date" in html


def test_index_names_purpose_not_slug(built):
    from django_datarights.consent.purposes import save_purpose
    from django_datarights.models import Purpose

    save_purpose(
        Purpose(
            slug="support",
            name="Customer support",
            description="Answering your questions.",
            legal_basis="legitimate_interest",
        )
    )
    html = read_archive(built()).read("index.html").decode()
    assert "Customer support (Legitimate interest): Answering your questions." in html
    assert "purpose: support" not in html


def test_index_without_purpose_row_explains_account(built):
    html = read_archive(built()).read("index.html").decode()
    assert "To provide your account and the services you use." in html


def test_index_uses_retention_policy_row(built):
    RetentionPolicy.objects.create(
        key="shop.address.custom",
        name="Addresses",
        model="shop.Address",
        date_field="created_at",
        period=timedelta(days=30),
    )
    html = read_archive(built()).read("index.html").decode()
    assert "30 days after the record" in html
    assert "“created at” date" in html


def test_index_skips_paused_policy(built):
    RetentionPolicy.objects.create(
        key="shop.address.custom",
        name="Addresses",
        model="shop.Address",
        date_field="created_at",
        period=timedelta(days=30),
        paused=True,
    )
    html = read_archive(built()).read("index.html").decode()
    assert "30 days after the record" not in html


def test_index_has_no_external_assets(built):
    html = read_archive(built()).read("index.html").decode()
    assert "<script" not in html
    assert "<link" not in html
    assert "src=" not in html


def test_audit_events_of_user_exported(built, user):
    archive = read_archive(built())
    events = dataset_rows(archive, "django_datarights.auditevent")
    assert [event["action"] for event in events] == ["export.requested"]


def test_consent_records_exported(built, user):
    archive = read_archive(built())
    assert dataset_rows(archive, "django_datarights.consentrecord") == []


def test_export_requests_exported_without_secrets(built):
    archive = read_archive(built())
    rows = dataset_rows(archive, "django_datarights.exportrequest")
    assert len(rows) == 1
    assert "wrapped_key" not in rows[0]
    assert "storage_name" not in rows[0]


class NoColumns(PersonalData):
    user_path = "user"
    category = "Activity log"
    fields: list[str] = []


class ExportRowWithFiles(PersonalData):
    user_path = "author"
    category = "Messages"
    files = ["attachment"]

    @classmethod
    def export_row(cls, instance):
        row = super().export_row(instance)
        row["subject"] = row["subject"].upper()
        return row


@pytest.fixture
def replaced_declarations():
    snapshot = registry.snapshot()
    registry.unregister(ActivityLog)
    registry.register(ActivityLog, NoColumns)
    registry.unregister(Message)
    registry.register(Message, ExportRowWithFiles)
    yield
    registry.restore(snapshot)


def test_dataset_without_columns_counts_rows(built, user, replaced_declarations):
    archive = read_archive(built())
    rows = dataset_rows(archive, "shop.activitylog")
    assert rows == [{}] * ActivityLog.objects.filter(user=user).count()
    lines = archive.read("data/shop.activitylog.csv").decode("utf-8-sig").splitlines()
    assert lines[1:] == [""] * len(rows)


def test_overridden_export_row_across_blocks(
    built, user, settings, replaced_declarations, django_capture_on_commit_callbacks
):
    settings.DATARIGHTS_EXPORT_CHUNK_SIZE = 2
    for i in range(5):
        message = Message.objects.create(author=user, subject=f"extra {i}", body="b")
        if i % 2:
            message.attachment.save(f"note-{i}.txt", ContentFile(f"note {i}".encode()))
    archive = read_archive(built())
    rows = dataset_rows(archive, "shop.message")
    expected = Message.objects.filter(author=user).order_by("pk")
    assert [row["subject"] for row in rows] == [m.subject.upper() for m in expected]
    with_files = [row["attachment"] for row in rows if row["attachment"]]
    assert sorted(archive.read(path) for path in with_files) == [b"note 1", b"note 3"]


def test_members_dated_at_build_time(built):
    archive = read_archive(built())
    # ZIP's "no date" is 1980-01-01, which members opened by name used to get.
    assert all(info.date_time[0] >= 2020 for info in archive.infolist())


def test_text_members_deflated_files_stored(built):
    archive = read_archive(built())
    for info in archive.infolist():
        stored = info.filename.startswith("files/")
        expected = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        assert info.compress_type == expected, info.filename
