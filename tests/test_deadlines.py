"""deadlines.toml: due dates, the late policy and extensions (classroom/deadlines.py), and
the due dates published for the learners' Assignments tab (classroom/duedates.py; the tab
itself, in a browser, is in tests/test_browser.py).

Grading with them, through the real commands, is in tests/test_workflow.py (a late learner
and one with an extension).
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import subprocess
import sys

import pytest
from grading import ROOT

from classroom.deadlines import DeadlinesError, parse, publish
from classroom.duedates import read_published

TEXT = """
timezone = "Europe/Paris"
[late]
per_day = 0.25
grace_minutes = 10
[due]
00-welcome = 2027-01-11T23:59:00
01-neural-networks = 2027-01-18T12:00:00Z
[extensions.00-welcome]
alice = "2 days"
bob = 2027-01-13T08:00:00+00:00
carol = "90 minutes"
"""


def test_times_are_read_in_the_course_time_zone_and_kept_in_utc():
    deadlines = parse(TEXT)
    assert deadlines.due["00-welcome"] == dt.datetime(2027, 1, 11, 22, 59)  # Paris is UTC+1
    assert deadlines.due["01-neural-networks"] == dt.datetime(2027, 1, 18, 12, 0)
    assert deadlines.due_for("00-welcome", "alice") == dt.datetime(2027, 1, 13, 22, 59)
    assert deadlines.due_for("00-welcome", "bob") == dt.datetime(2027, 1, 13, 8, 0)
    assert deadlines.extension("00-welcome", "carol") == dt.timedelta(minutes=90)
    assert deadlines.extension("00-welcome", "dave") is None
    assert deadlines.due_for("01-neural-networks", "alice") == dt.datetime(2027, 1, 18, 12)


@pytest.mark.parametrize("student, after_due, late", [
    ("dave", dt.timedelta(minutes=-1), False),
    ("dave", dt.timedelta(minutes=9), False),  # within the grace period
    ("dave", dt.timedelta(minutes=11), True),
    ("alice", dt.timedelta(days=1, hours=23), False),  # within her 2 days
    ("alice", dt.timedelta(days=2, minutes=11), True),
    ("carol", dt.timedelta(minutes=95), False),
    ("carol", dt.timedelta(minutes=101), True),
])
def test_lateness_counts_from_the_learners_own_due_date(student, after_due, late):
    deadlines = parse(TEXT)
    submitted = deadlines.due["00-welcome"] + after_due
    assert (deadlines.seconds_late("00-welcome", student, submitted) > 0) == late


@pytest.mark.parametrize("hours_late, share", [
    (0, 0.0), (0.5, 0.25), (24, 0.25), (24.01, 0.5), (71, 0.75), (96, 1.0), (500, 1.0)])
def test_penalty_is_a_share_of_the_score_per_started_day(hours_late, share):
    assert parse(TEXT).penalty(8.0, hours_late * 3600) == pytest.approx(8.0 * share)


@pytest.mark.parametrize("text, message", [
    ("[due\n", "not valid TOML"),
    ("deadline = 1", "unknown setting"),
    ('timezone = "Mars/Olympus"', "not a time zone"),
    ("[late]\nper_day = 10", "share between 0 and 1"),
    ("[late]\nper_hour = 0.1", "takes per_day and grace_minutes"),
    ('[due]\n00-welcome = "monday"', r"\[due\] 00-welcome: expected a date and time"),
    ("[due]\n00-welcome = 2027-01-11", "expected a date and time"),
    ('[extensions.00-welcome]\nalice = "2 days"', "has no due date"),
    ('[due]\nx = 2027-01-11T23:59:00\n[extensions.x]\nalice = "a fortnight"',
     r"\[extensions.x\] alice: 'a fortnight' is not"),
])
def test_a_malformed_file_is_refused_with_where_and_what(text, message):
    with pytest.raises(DeadlinesError, match=message):
        parse(text)


def test_the_example_file_is_valid_and_the_command_checks_a_file(tmp_path):
    example = (ROOT / "deadlines.example.toml").read_text()
    assert parse(example).due
    (tmp_path / "deadlines.toml").write_text(example)
    ok = subprocess.run([sys.executable, "-m", "classroom.deadlines"], cwd=tmp_path,
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0 and "01-neural-networks" in ok.stdout, ok.stderr
    (tmp_path / "deadlines.toml").write_text("[late]\nper_day = 2\n")
    bad = subprocess.run([sys.executable, "-m", "classroom.deadlines"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "per_day must be a share" in bad.stderr


def test_sync_publishes_only_the_lessons_due_dates_for_learners(tmp_path):
    """--sync writes <exchange>/<course>/deadlines.json: lesson -> due date with its zone,
    readable by every account, and nothing about any learner (the exchange is public)."""
    exchange = tmp_path / "exchange"
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'rnn-course'\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    (tmp_path / "deadlines.toml").write_text(TEXT)
    synced = subprocess.run([sys.executable, "-m", "classroom.deadlines", "--sync"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert synced.returncode == 0, synced.stderr
    published = exchange / "rnn-course" / "deadlines.json"
    assert str(published) in synced.stdout
    assert json.loads(published.read_text()) == {"course_id": "rnn-course", "due": {
        "00-welcome": "2027-01-11T22:59:00+00:00",  # 23:59 in Paris
        "01-neural-networks": "2027-01-18T12:00:00+00:00"}}
    assert stat.S_IMODE(published.stat().st_mode) == 0o644
    assert stat.S_IMODE(published.parent.stat().st_mode) == 0o755
    assert not any(name in published.read_text() for name in ("alice", "bob", "carol"))
    assert [p.name for p in published.parent.iterdir()] == ["deadlines.json"]  # no temp file

    # what a learner's server answers (classroom.duedates), and a later --sync replaces it
    assert read_published(exchange, "rnn-course")["rnn-course"]["00-welcome"] \
        == "2027-01-11T22:59:00+00:00"
    publish(parse('[due]\n00-welcome = 2027-02-01T09:00:00Z\n'), published.parent)
    assert read_published(exchange) == {
        "rnn-course": {"00-welcome": "2027-02-01T09:00:00+00:00"}}
    assert read_published(exchange, "another-course") == {}
    (exchange / "broken").mkdir()
    (exchange / "broken" / "deadlines.json").write_text("{not json")
    assert list(read_published(exchange)) == ["rnn-course"]
