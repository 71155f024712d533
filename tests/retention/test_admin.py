from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from django_datarights.admin.retention import RetentionPolicyForm
from django_datarights.models import LegalHold, RetentionPolicy, RetentionRun
from django_datarights.models.retention import RunStatus
from example_project.shop.models import ActivityLog

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def operator_client(client: Any, make_user: Any) -> Any:
    operator = make_user("operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "key": "admin.logs",
        "name": "Logs",
        "kind": "records",
        "model": "shop.ActivityLog",
        "date_field": "created_at",
        "period": "30 00:00:00",
        "action": "delete",
    }
    data.update(overrides)
    return data


def test_form_accepts_valid_policy() -> None:
    form = RetentionPolicyForm(data=form_data())

    assert form.is_valid(), form.errors


def test_form_rejects_unknown_model() -> None:
    form = RetentionPolicyForm(data=form_data(model="shop.Nothing"))

    assert not form.is_valid()
    assert "model" in form.errors


def test_form_rejects_unknown_field() -> None:
    form = RetentionPolicyForm(data=form_data(date_field="created"))

    assert not form.is_valid()
    assert "date_field" in form.errors


def test_form_rejects_non_date_field() -> None:
    form = RetentionPolicyForm(data=form_data(date_field="action"))

    assert not form.is_valid()
    assert "date_field" in form.errors


def test_form_rejects_anonymise_unregistered() -> None:
    form = RetentionPolicyForm(data=form_data(model="shop.SupportNote", action="anonymise"))

    assert not form.is_valid()
    assert "action" in form.errors


def test_form_rejects_records_on_users() -> None:
    form = RetentionPolicyForm(data=form_data(model="auth.User", date_field="last_login"))

    assert not form.is_valid()
    assert "kind" in form.errors


def test_form_rejects_warning_past_period() -> None:
    form = RetentionPolicyForm(
        data=form_data(
            kind="inactive_accounts",
            model="auth.User",
            date_field="last_login",
            warning_period="40 00:00:00",
        )
    )

    assert not form.is_valid()
    assert "warning_period" in form.errors


def test_form_rejects_share_above_one() -> None:
    form = RetentionPolicyForm(data=form_data(max_share="1.5"))

    assert not form.is_valid()
    assert "max_share" in form.errors


def test_save_records_overridden_fields(operator_client: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    url = reverse("admin:django_datarights_retentionpolicy_change", args=[policy.pk])
    data = form_data(
        key=policy.key,
        name=policy.name,
        model=policy.model,
        period="14 00:00:00",
    )

    response = operator_client.post(url, data)

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.period == 14 * DAY
    assert policy.overridden == ["period"]


def test_change_page_shows_preview(operator_client: Any, make_log: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    make_log(100 * DAY, now=policy.created_at)
    url = reverse("admin:django_datarights_retentionpolicy_change", args=[policy.pk])

    response = operator_client.get(url)

    assert response.status_code == 200
    assert "due now: 1" in response.content.decode()


def test_changelist_shows_last_run(operator_client: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    RetentionRun.objects.create(
        policy=policy, status=RunStatus.DONE, cutoff=policy.created_at, rows_deleted=7
    )

    response = operator_client.get(reverse("admin:django_datarights_retentionpolicy_changelist"))

    assert response.status_code == 200
    assert "7 deleted" in response.content.decode()


def test_pause_action_marks_override(operator_client: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    url = reverse("admin:django_datarights_retentionpolicy_changelist")

    operator_client.post(url, {"action": "pause", "_selected_action": [policy.pk]})

    policy.refresh_from_db()
    assert policy.paused is True
    assert "paused" in policy.overridden


def test_run_now_action_enforces(
    operator_client: Any, make_log: Any, django_capture_on_commit_callbacks: Any
) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    make_log(200 * DAY, now=policy.created_at)
    url = reverse("admin:django_datarights_retentionpolicy_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(url, {"action": "run_now", "_selected_action": [policy.pk]})

    assert RetentionRun.objects.filter(policy=policy, status=RunStatus.DONE).exists()
    assert ActivityLog.objects.count() == 0


def test_preview_action_reports_counts(operator_client: Any, make_log: Any) -> None:
    policy = RetentionPolicy.objects.get(key="shop.activitylog.created_at")
    make_log(200 * DAY, now=policy.created_at)
    url = reverse("admin:django_datarights_retentionpolicy_changelist")

    response = operator_client.post(
        url, {"action": "preview_action", "_selected_action": [policy.pk]}, follow=True
    )

    assert "1 due now" in response.content.decode()
    assert ActivityLog.objects.count() == 1


def test_runs_are_read_only(operator_client: Any) -> None:
    response = operator_client.get(reverse("admin:django_datarights_retentionrun_add"))

    assert response.status_code == 403


def test_hold_records_operator(operator_client: Any, other_user: Any) -> None:
    url = reverse("admin:django_datarights_legalhold_add")

    response = operator_client.post(url, {"user": other_user.pk, "reason": "Pending court case"})

    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.user == other_user
    assert hold.created_by is not None
    assert hold.created_by.username == "operator"


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        (timedelta(days=90), "90 days"),
        (timedelta(days=3650), "10 years"),
        (timedelta(hours=6), "6 hours"),
        (timedelta(days=1, hours=12), "1 day, 12:00:00"),
        (timedelta(minutes=90), "1:30:00"),
    ],
)
def test_period_shown_in_words(period: timedelta, shown: str) -> None:
    from django.contrib.admin.sites import site

    from django_datarights.admin.retention import RetentionPolicyAdmin

    policy = RetentionPolicy(period=period)
    assert RetentionPolicyAdmin(RetentionPolicy, site).period_display(policy) == shown


def test_changelist_shows_period_in_words(operator_client: Any) -> None:
    RetentionPolicy.objects.create(
        key="admin.words",
        name="Words",
        kind="records",
        model="shop.ActivityLog",
        date_field="created_at",
        period=timedelta(days=90),
        action="delete",
    )
    response = operator_client.get(reverse("admin:django_datarights_retentionpolicy_changelist"))
    assert response.status_code == 200
    assert "90 days" in response.content.decode()
    assert "90 days, 0:00:00" not in response.content.decode()


def test_change_page_explains_period_format(operator_client: Any) -> None:
    policy = RetentionPolicy.objects.create(
        key="admin.format",
        name="Format",
        kind="records",
        model="shop.ActivityLog",
        date_field="created_at",
        period=timedelta(days=90),
        action="delete",
    )
    url = reverse("admin:django_datarights_retentionpolicy_change", args=[policy.pk])
    html = operator_client.get(url).content.decode()
    assert "“90 00:00:00” is 90 days." in html
