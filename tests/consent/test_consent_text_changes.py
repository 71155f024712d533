"""A person opts in, out and in again, then an operator edits the purpose's text.

Expected: three history records that cannot be edited, each with time, actor, channel and text
version. The edit publishes version 2 and leaves version 1 readable, and the export registry
includes the history.
"""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from django_datarights.consent.flows import set_consent
from django_datarights.models import ConsentRecord, PurposeVersion
from django_datarights.models.consent import Channel, ConsentRecordImmutable
from django_datarights.registry import registry


@pytest.fixture
def dorotea(make_user):
    return make_user("dorotea", first_name="Dorotea", last_name="Kowalczyk")


@pytest.fixture
def operator(make_user):
    return make_user("operator", is_staff=True, is_superuser=True)


@pytest.fixture
def history(dorotea, analytics, request_for):
    request = request_for(dorotea)
    for given in (True, False, True):
        set_consent(dorotea, analytics, given, channel=Channel.SETTINGS_PAGE, request=request)
    return list(ConsentRecord.objects.filter(user=dorotea).order_by("pk"))


def _edit_text_in_admin(client, operator, purpose):
    client.force_login(operator)
    url = reverse("admin:django_datarights_purpose_change", args=[purpose.pk])
    response = client.post(
        url,
        {
            "name": purpose.name,
            "description": "Count page visits and share them with our analytics provider.",
            "legal_basis": purpose.legal_basis,
            "refusable": "on",
            "ordering": purpose.ordering,
            "active": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_three_records(history):
    assert [record.given for record in history] == [True, False, True]


def test_records_keep_time_channel_version(history):
    for record in history:
        assert record.created_at is not None
        assert record.channel == Channel.SETTINGS_PAGE
        assert record.version == 1
        assert record.actor is None


def test_records_cannot_be_edited(history):
    with pytest.raises(ConsentRecordImmutable):
        history[0].save()


def test_admin_edit_publishes_version_two(client, operator, analytics, history):
    _edit_text_in_admin(client, operator, analytics)

    analytics.refresh_from_db()
    assert analytics.version == 2
    assert analytics.description.startswith("Count page visits and share")


def test_version_one_still_readable(client, operator, analytics, history):
    _edit_text_in_admin(client, operator, analytics)

    first = PurposeVersion.objects.get(purpose=analytics, version=1)
    assert first.description == "Count page visits."


def test_history_unchanged_by_edit(client, operator, analytics, history):
    _edit_text_in_admin(client, operator, analytics)

    after = list(ConsentRecord.objects.filter(user=history[0].user).order_by("pk"))
    assert [(r.pk, r.given, r.version) for r in after] == [
        (r.pk, r.given, r.version) for r in history
    ]


def test_history_admin_is_read_only(rf, operator):
    model_admin = site._registry[ConsentRecord]
    request = rf.get("/")
    request.user = operator

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


def test_history_is_registered_for_export():
    assert registry.is_registered(ConsentRecord)
