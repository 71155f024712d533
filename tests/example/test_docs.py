"""The settings tables in the README and in docs/usage.md list every setting in conf.py."""

import re
from pathlib import Path

import pytest

from django_datarights.conf import AppSettings

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED_IN = ["README.md", "docs/usage.md"]


def setting_names():
    names = []
    for name, value in vars(AppSettings).items():
        if isinstance(value, property) and not name.endswith("_CONFIGURED"):
            names.append(f"DATARIGHTS_{name}")
    return names


@pytest.mark.parametrize("document", DOCUMENTED_IN)
@pytest.mark.parametrize("setting", setting_names())
def test_setting_documented(document, setting):
    text = (ROOT / document).read_text(encoding="utf-8")

    assert f"| `{setting}` |" in text


@pytest.mark.parametrize("document", DOCUMENTED_IN)
def test_no_unknown_settings_documented(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(DATARIGHTS_[A-Z_]+)` \|", text, flags=re.MULTILINE))

    assert documented == set(setting_names())


def test_readme_states_demo_passwords():
    from example_project.shop.demo import ADMIN_PASSWORD, CUSTOMERS

    text = (ROOT / "README.md").read_text(encoding="utf-8")

    assert ADMIN_PASSWORD in text
    for customer in CUSTOMERS:
        assert f"`{customer.password}`" in text
