"""The template tag, the view decorator and the admin's consent changes."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import reverse

from django_datarights.consent.decorators import consent_required
from django_datarights.consent.flows import set_consent
from django_datarights.models import Consent, ConsentRecord
from django_datarights.models.consent import Channel

TAG_TEMPLATE = Template(
    '{% load datarights %}{% has_consent "analytics" as ok %}'
    "{% if ok %}tracking on{% else %}tracking off{% endif %}"
)


@consent_required("analytics")
def dashboard(request):
    return HttpResponse("dashboard")


def _request(rf, user):
    request = rf.get("/dashboard/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_tag_off_without_consent(rf, user, analytics):
    request = _request(rf, user)

    assert TAG_TEMPLATE.render(Context({"request": request})) == "tracking off"


def test_tag_on_with_consent(rf, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)
    request = _request(rf, user)

    assert TAG_TEMPLATE.render(Context({"request": request})) == "tracking on"


def test_decorator_runs_view_with_consent(rf, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)

    response = dashboard(_request(rf, user))

    assert response.content == b"dashboard"


def test_decorator_redirects_without_consent(rf, user, analytics):
    request = _request(rf, user)

    response = dashboard(request)

    assert response.status_code == 302
    assert response["Location"] == reverse("datarights:settings")
    assert "Analytics" in [str(m) for m in request._messages][0]


def test_decorator_sends_anonymous_to_login(rf, analytics):
    response = dashboard(_request(rf, AnonymousUser()))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.fixture
def operator(make_user):
    return make_user("operator", is_staff=True, is_superuser=True)


def test_admin_change_goes_through_flow(client, operator, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)
    consent = Consent.objects.get(user=user, purpose=analytics)
    client.force_login(operator)

    response = client.post(reverse("admin:django_datarights_consent_change", args=[consent.pk]), {})

    assert response.status_code == 302
    record = ConsentRecord.objects.filter(user=user).first()
    assert record.given is False
    assert record.channel == Channel.ADMIN
    assert record.actor == operator


def test_admin_add_goes_through_flow(client, operator, user, newsletter):
    client.force_login(operator)

    response = client.post(
        reverse("admin:django_datarights_consent_add"),
        {"user": user.pk, "purpose": newsletter.pk, "given": "on"},
    )

    assert response.status_code == 302
    record = ConsentRecord.objects.get(user=user, purpose=newsletter)
    assert record.given is True
    assert record.channel == Channel.ADMIN


def test_admin_rejects_refusable_off_for_consent(client, operator):
    client.force_login(operator)

    response = client.post(
        reverse("admin:django_datarights_purpose_add"),
        {
            "slug": "profiling",
            "name": "Profiling",
            "description": "Build a profile of your interests.",
            "legal_basis": "consent",
            "ordering": "0",
            "active": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert "must be refusable" in response.content.decode()


def test_admin_history_pages_open(client, operator, user, analytics, make_policy):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)
    make_policy("2026-01")
    client.force_login(operator)

    for name in ("purpose", "consentrecord", "consent", "privacypolicy", "userpreference"):
        response = client.get(reverse(f"admin:django_datarights_{name}_changelist"))
        assert response.status_code == 200, name
