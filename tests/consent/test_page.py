"""The privacy settings page: the consent form, JSON saving, the policy and the query budget."""

import json

import pytest
from django.urls import reverse

from django_datarights.consent.flows import set_consent
from django_datarights.consent.purposes import save_purpose
from django_datarights.consent.queries import has_consent
from django_datarights.models import ConsentRecord, ExportRequest, PrivacyPolicyAcceptance
from django_datarights.models.consent import Channel

PAGE = "/privacy/"


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def test_page_has_checkbox_per_purpose(logged_in, analytics, newsletter):
    html = logged_in.get(PAGE).content.decode()

    assert 'type="checkbox" id="datarights-purpose-analytics"' in html
    assert '<label for="datarights-purpose-analytics">Analytics</label>' in html
    assert '<label for="datarights-purpose-newsletter">Newsletter</label>' in html
    assert "<legend>" in html


def test_page_has_no_inline_script_or_style(logged_in, analytics):
    html = logged_in.get(PAGE).content.decode()

    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_page_has_skip_link(logged_in):
    html = logged_in.get(PAGE).content.decode()

    assert 'href="#datarights-main"' in html


def test_form_saves_all_choices(logged_in, user, analytics, newsletter):
    response = logged_in.post(
        reverse("datarights:consent-save"),
        {"shown": ["analytics", "newsletter"], "consent-analytics": "on"},
    )

    assert response.status_code == 302
    assert has_consent(user, "analytics") is True
    assert has_consent(user, "newsletter") is False
    # Leaving the newsletter off changes nothing, so only the analytics answer is recorded.
    records = ConsentRecord.objects.filter(user=user, channel=Channel.SETTINGS_PAGE)
    assert [record.purpose.slug for record in records] == ["analytics"]


def test_repeated_save_records_nothing(logged_in, user, analytics, newsletter):
    form = {"shown": ["analytics", "newsletter"], "consent-analytics": "on"}
    logged_in.post(reverse("datarights:consent-save"), form, HTTP_ACCEPT="application/json")

    response = logged_in.post(reverse("datarights:consent-save"), form)

    assert response.status_code == 302
    assert ConsentRecord.objects.filter(user=user).count() == 1


def test_save_reanswers_new_version(logged_in, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)
    analytics.description = "Count page visits and clicks."
    save_purpose(analytics)

    logged_in.post(
        reverse("datarights:consent-save"), {"shown": ["analytics"], "consent-analytics": "on"}
    )

    latest = ConsentRecord.objects.filter(user=user).latest("pk")
    assert latest.channel == Channel.SETTINGS_PAGE
    assert latest.version == 2


def test_form_skips_unchanged_choices(logged_in, user, analytics, newsletter):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)
    set_consent(user, newsletter, False, channel=Channel.SIGNUP)

    logged_in.post(
        reverse("datarights:consent-save"),
        {
            "shown": ["analytics", "newsletter"],
            "consent-analytics": "on",
            "consent-newsletter": "on",
        },
    )

    assert ConsentRecord.objects.filter(user=user, channel=Channel.SETTINGS_PAGE).count() == 1


def test_form_ignores_unshown_purposes(logged_in, user, analytics, newsletter):
    logged_in.post(
        reverse("datarights:consent-save"), {"shown": ["analytics"], "consent-analytics": "on"}
    )

    assert not ConsentRecord.objects.filter(user=user, purpose=newsletter).exists()


def test_form_ignores_non_refusable(logged_in, user, billing):
    response = logged_in.post(reverse("datarights:consent-save"), {"shown": ["billing"]})

    assert response.status_code == 302
    assert has_consent(user, "billing") is True


def test_form_answers_json(logged_in, user, analytics):
    response = logged_in.post(
        reverse("datarights:consent-save"),
        {"shown": ["analytics"], "consent-analytics": "on"},
        HTTP_ACCEPT="application/json",
    )

    data = json.loads(response.content)
    assert response.status_code == 200
    assert data["saved"] == 1
    assert data["given"] == {"analytics": True}
    assert data["message"]


def test_json_answer_has_history_rows(logged_in, user, analytics):
    response = logged_in.post(
        reverse("datarights:consent-save"),
        {"shown": ["analytics"], "consent-analytics": "on"},
        HTTP_ACCEPT="application/json",
    )

    rows = json.loads(response.content)["history_html"]
    assert rows.count("<tr>") == 1
    assert "Analytics" in rows
    assert "Allowed" in rows
    assert "<table" not in rows


def test_save_requires_login(client, analytics):
    response = client.post(reverse("datarights:consent-save"), {"shown": ["analytics"]})

    assert response.status_code == 302
    assert not ConsentRecord.objects.exists()


def test_history_table_lists_records(logged_in, user, analytics):
    set_consent(user, analytics, True, channel=Channel.SIGNUP)

    html = logged_in.get(PAGE).content.decode()

    assert "<caption>History of your choices</caption>" in html
    assert "Sign-up" in html


def test_policy_notice_until_accepted(logged_in, make_policy):
    make_policy("2026-01", changes="We now name our payment provider.")

    html = logged_in.get(PAGE).content.decode()

    assert "Please read our privacy policy and accept it." in html
    assert "has changed since you last accepted it" not in html
    assert "We now name our payment provider." in html


def test_policy_notice_names_change_after_acceptance(logged_in, user, make_policy):
    first = make_policy("2026-01", days_ago=30)
    PrivacyPolicyAcceptance.objects.create(user=user, policy=first)
    make_policy("2026-02", changes="We now name our payment provider.")

    html = logged_in.get(PAGE).content.decode()

    assert "has changed since you last accepted it" in html
    assert "Please read our privacy policy and accept it." not in html


def test_policy_accepted_has_no_notice(logged_in, user, make_policy):
    policy = make_policy("2026-01")
    PrivacyPolicyAcceptance.objects.create(user=user, policy=policy)

    html = logged_in.get(PAGE).content.decode()

    assert "You have accepted this version." in html
    assert "datarights-notice" not in html.split('id="datarights-policy"')[1].split("</section>")[0]


def test_policy_accept_records_channel(logged_in, user, make_policy):
    policy = make_policy("2026-01")

    logged_in.post(reverse("datarights:consent-accept-policy", args=[policy.pk]))

    acceptance = PrivacyPolicyAcceptance.objects.get(user=user, policy=policy)
    assert acceptance.channel == Channel.SETTINGS_PAGE
    assert "has changed since" not in logged_in.get(PAGE).content.decode()


def test_old_policy_cannot_be_accepted(logged_in, user, make_policy):
    old = make_policy("2025-06", days_ago=200)
    make_policy("2026-01", days_ago=1)

    logged_in.post(reverse("datarights:consent-accept-policy", args=[old.pk]))

    assert not PrivacyPolicyAcceptance.objects.filter(user=user).exists()


def test_future_policy_not_shown(logged_in, make_policy):
    make_policy("2027-01", days_ago=-30)

    html = logged_in.get(PAGE).content.decode()

    assert "2027-01" not in html


def _page_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(captured)


def test_page_queries_constant(
    logged_in, user, make_purpose, make_policy, preference_keys, django_assert_max_num_queries
):
    make_policy("2026-01")
    preference_keys("show-profile", "Show my profile to other members", default=True)
    first = make_purpose("purpose-0")
    set_consent(user, first, True, channel=Channel.SIGNUP)
    ExportRequest.objects.create(user=user)
    with_one = _page_queries(logged_in, django_assert_max_num_queries, 40)

    for n in range(1, 50):
        purpose = make_purpose(f"purpose-{n}")
        for given in (True, False, True):
            set_consent(user, purpose, given, channel=Channel.SETTINGS_PAGE)
    for n in range(10):
        preference_keys(
            f"setting-{n}", f"Setting {n}", choices=[("a", "A"), ("b", "B")], default="a"
        )
    make_policy("2025-01", days_ago=400)
    for _n in range(20):
        ExportRequest.objects.create(user=user)
    with_fifty = _page_queries(logged_in, django_assert_max_num_queries, with_one)

    assert with_fifty == with_one
