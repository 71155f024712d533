import threading

import pytest

from example_project import demo_beat
from example_project.shop.apps import _is_serving_runserver


@pytest.fixture
def ran(monkeypatch):
    names = []

    def fake_run_task(name):
        names.append(name)
        return True

    monkeypatch.setattr(demo_beat, "run_task", fake_run_task)
    return names


def test_disabled_without_variable(monkeypatch, settings):
    monkeypatch.delenv("EXAMPLE_DEMO_BEAT", raising=False)
    settings.CELERY_BROKER_URL = ""

    assert demo_beat.is_enabled() is False


def test_enabled_with_variable(monkeypatch, settings):
    monkeypatch.setenv("EXAMPLE_DEMO_BEAT", "1")
    settings.CELERY_BROKER_URL = ""

    assert demo_beat.is_enabled() is True


def test_disabled_with_broker(monkeypatch, settings):
    monkeypatch.setenv("EXAMPLE_DEMO_BEAT", "1")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    assert demo_beat.is_enabled() is False


def test_start_disabled_starts_no_thread(monkeypatch):
    monkeypatch.delenv("EXAMPLE_DEMO_BEAT", raising=False)

    assert demo_beat.start() is None
    assert demo_beat.THREAD_NAME not in {t.name for t in threading.enumerate()}


def test_unregistered_task_skipped():
    assert demo_beat.run_task("datarights.no_such_task") is False


def test_registered_task_runs(monkeypatch):
    from example_project.celery import app

    calls = []

    @app.task(name="tests.example.demo_probe")
    def probe():
        calls.append(1)

    try:
        assert demo_beat.run_task("tests.example.demo_probe") is True
    finally:
        app.tasks.pop("tests.example.demo_probe", None)
    assert calls == [1]


def test_failing_task_reported(settings):
    from example_project.celery import app

    settings.CELERY_TASK_EAGER_PROPAGATES = False

    @app.task(name="tests.example.demo_failure")
    def failure():
        raise RuntimeError("boom")

    try:
        assert demo_beat.run_task("tests.example.demo_failure") is False
    finally:
        app.tasks.pop("tests.example.demo_failure", None)


def test_first_round_runs_everything(ran):
    last = demo_beat.run_due(None, now=1000.0)

    assert ran == [*demo_beat.SWEEP_TASKS, demo_beat.RETENTION_TASK]
    assert last == 1000.0


def test_retention_waits_a_day(ran):
    demo_beat.run_due(1000.0, now=1000.0 + demo_beat.RETENTION_INTERVAL_SECONDS - 1)

    assert ran == list(demo_beat.SWEEP_TASKS)


def test_retention_runs_after_a_day(ran):
    last = demo_beat.run_due(1000.0, now=1000.0 + demo_beat.RETENTION_INTERVAL_SECONDS)

    assert ran[-1] == demo_beat.RETENTION_TASK
    assert last == 1000.0 + demo_beat.RETENTION_INTERVAL_SECONDS


def test_retention_retried_when_missing(monkeypatch):
    monkeypatch.setattr(demo_beat, "run_task", lambda name: False)

    assert demo_beat.run_due(None, now=5.0) is None


@pytest.mark.parametrize(
    ("argv", "run_main", "expected"),
    [
        (["manage.py", "runserver"], "true", True),
        (["manage.py", "runserver"], None, False),
        (["manage.py", "runserver", "--noreload"], None, True),
        (["manage.py", "migrate"], "true", False),
        (["manage.py"], None, False),
    ],
)
def test_serving_runserver_detected(monkeypatch, argv, run_main, expected):
    if run_main is None:
        monkeypatch.delenv("RUN_MAIN", raising=False)
    else:
        monkeypatch.setenv("RUN_MAIN", run_main)

    assert _is_serving_runserver(argv) is expected


@pytest.mark.parametrize("name", [*demo_beat.SWEEP_TASKS, demo_beat.RETENTION_TASK])
def test_app_tasks_found(db, name):
    assert demo_beat.run_task(name) is True
