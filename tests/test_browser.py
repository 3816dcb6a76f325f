"""The course as people use it: a real JupyterLab in a real (headless) Chromium.

A learner opens a working copy of lesson 00 (never the committed course/ files: Validate
saves the notebook), runs it, sees the plot and the visible tests' messages, types a
wrong and then a right answer and presses Validate. In a class, the learner fetches the
released lesson from the Assignments panel and submits it; the instructor's formgrader
collects the submission and lists it. Every lesson in course/ starts a clean kernel and
runs its first cell. No page may log a JavaScript error, and nothing in the notebook may
be red text from TensorFlow's start-up.

Screenshots of every step go to test-artifacts/browser/ (kept after the run, for a human
to look at when something fails), with the two servers' logs.
Timings: bench/first_cell_times.py.

Needs playwright (test extras) and Debian's chromium (``apt-get install chromium``; never
``playwright install``). Without them these tests skip, unless COURSE_REQUIRE_BROWSER is
set, as .ci/run does: then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from browser import (
    ARTIFACTS,
    STDERR_MIME,
    ConsoleLog,
    JupyterLab,
    activate_tab,
    browser_missing,
    close_dialog,
    code_cell,
    code_cells,
    launch_browser,
    menu,
    open_in_file_browser,
    open_lab,
    outputs,
    prompt,
    run_cell,
    save,
    screenshot,
    server_environment,
    set_source,
    validate,
    wait_cells_finished,
    wait_kernel_idle,
)
from grading import ROOT, make_course_copy, read_notebook, reference_answers

from classroom.deadlines import parse, publish

pytestmark = pytest.mark.xdist_group("browser")

LESSON = "00-welcome"
COURSE_ID = "rnn-course"
LESSONS = sorted(p.name for p in (ROOT / "course").iterdir()
                 if (p / f"{p.name}.ipynb").is_file())
# The mistake of the visible test's example: integer division gives 2 for [1, 2, 3, 4].
WRONG_AVERAGE = "def average(values):\n    return sum(values) // len(values)\n"


def _visible_test() -> str:
    nb = read_notebook(ROOT / "course" / LESSON / f"{LESSON}.ipynb")
    return next(c.source for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") == "test_average")


VISIBLE_TEST = _visible_test()  # result = average([1, 2, 3, 4]); checks.check_scalar(...)
# the test's own first line (its imports start other cells too)
VISIBLE_TEST_LINE = next(line for line in VISIBLE_TEST.splitlines()
                         if line.strip() and not line.startswith(("import ", "from ", "#")))


# --- fixtures ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def playwright_context(tmp_path_factory):
    """One headless Chromium (fresh profile) for the whole module."""
    reason = browser_missing()
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER"):  # set by .ci/run: CI must not skip
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        context = launch_browser(playwright, tmp_path_factory.mktemp("chromium") / "profile")
        yield context
        context.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A learner's home (working copies of every lesson, the class's nbgrader_config.py)
    and an instructor's course copy that releases 00-welcome into a temporary exchange
    (in the background: ``released()`` waits for it)."""
    tmp = tmp_path_factory.mktemp("browser")
    instructor = make_course_copy(tmp / "instructor", [LESSON])
    exchange = instructor / "exchange"
    home = tmp / "learner"
    for lesson in LESSONS:  # what `quickstart.py lab` gives a learner studying alone
        shutil.copytree(ROOT / "course" / lesson, home / "my-work" / lesson)
    (home / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        "# The test's own submission cache: by default it is shared by every run on this\n"
        "# machine (~/.local/share/jupyter/nbgrader_cache), and the Assignments panel\n"
        "# would list the submissions of earlier runs.\n"
        f"c.Exchange.cache = {str(tmp / 'learner-cache')!r}\n"
    )
    log = open(tmp / "release.log", "w")
    py = sys.executable
    release = subprocess.Popen(
        ["sh", "-c", f"'{py}' -m nbgrader generate_assignment {LESSON} --force && "
                     f"'{py}' -m nbgrader release_assignment {LESSON}"],
        cwd=instructor, env=server_environment(), stdout=log, stderr=subprocess.STDOUT,
    )

    def released() -> None:
        if release.wait(timeout=900) != 0:
            raise RuntimeError("nbgrader generate/release failed:\n"
                               + (tmp / "release.log").read_text()[-4000:])

    yield {"tmp": tmp, "home": home, "instructor": instructor, "exchange": exchange,
           "released": released}
    if release.poll() is None:
        release.kill()
    log.close()


@pytest.fixture(scope="module")
def learner_lab(course):
    """The learner's JupyterLab, with the course's due-date extensions installed as
    quickstart.py installs them (python -m classroom.duedates --install), here into a
    prefix of the test's own rather than into the shared environment."""
    prefix = course["tmp"] / "prefix"
    subprocess.run([sys.executable, "-m", "classroom.duedates", "--install", "--quiet",
                    f"--prefix={prefix}"], check=True, cwd=ROOT, timeout=120)
    paths = {"JUPYTER_PATH": prefix / "share" / "jupyter",
             "JUPYTER_CONFIG_PATH": prefix / "etc" / "jupyter"}
    env = {name: os.pathsep.join(filter(None, [str(path), os.environ.get(name)]))
           for name, path in paths.items()}
    lab = JupyterLab(course["home"], course["tmp"] / "learner-lab", name="learner",
                     env=env).start()
    yield lab
    lab.stop()
    if ARTIFACTS.exists():
        shutil.copy(lab.log_path, ARTIFACTS / lab.log_path.name)


@pytest.fixture
def console():
    return ConsoleLog()


def assert_no_console_errors(console: ConsoleLog) -> None:
    problems = console.problems()
    assert not problems, "JavaScript errors in the page:\n" + "\n".join(problems)


@contextmanager
def evidence(page, name: str):
    """On any failure inside, leave a screenshot named <name>-FAILED."""
    try:
        yield
    except BaseException:
        try:
            screenshot(page, f"{name}-FAILED")
        except Exception:  # the page itself may be gone; the original error matters
            pass
        raise


def saved_outputs(path: Path) -> list[tuple[int, str, str]]:
    """(cell index, output type or stream name, text) of every output of a saved notebook."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            kind = out.get("name") if out.output_type == "stream" else out.output_type
            text = out.get("text") or "\n".join(out.get("traceback", [])) or ""
            found.append((index, kind, text))
    return found


# --- a learner studying lesson 00 ----------------------------------------------------

@pytest.fixture(scope="module")
def welcome(playwright_context, learner_lab, course):
    """Lesson 00 opened in JupyterLab and run with Run > Run All Cells, as it comes."""
    console = ConsoleLog()
    path = f"my-work/{LESSON}/{LESSON}.ipynb"
    page = open_lab(playwright_context, learner_lab, path, console)
    with evidence(page, "01-welcome-run-all"):
        screenshot(page, "01-welcome-opened")
        menu(page, "Run", "Run All Cells")
        wait_cells_finished(page)
    yield {"page": page, "console": console, "file": course["home"] / path}
    page.close()
    learner_lab.shutdown_kernels()


def test_lesson_runs_with_plots_messages_and_no_red_text(welcome):
    page, console = welcome["page"], welcome["console"]
    with evidence(page, "02-welcome-after-run-all"):
        cells = code_cells(page)
        plot = cells.locator(".jp-OutputArea-output img").first
        plot.scroll_into_view_if_needed()
        screenshot(page, "02-welcome-plot")
        assert plot.evaluate("img => img.complete && img.naturalWidth > 100")  # it rendered

        # The cell that shows what the checks of the visible tests say, in words.
        checks_demo = code_cell(page, "hidden_states = np.zeros(")
        messages = " ".join(text for _, text in outputs(checks_demo))
        assert "check_shape says: the hidden states" in messages
        assert "check_close says: my halves" in messages

        # Run All stops at the first failing cell: the visible test of the unanswered
        # exercise, which says why. Everything above it ran without any red text.
        test = code_cell(page, VISIBLE_TEST_LINE)
        test.scroll_into_view_if_needed()
        screenshot(page, "03-welcome-unanswered-test")
        assert "NotImplementedError" in " ".join(text for _, text in outputs(test))
        prompts = cells.locator(".jp-InputArea-prompt").all_text_contents()
        first_test = prompts.index(prompt(test))
        assert all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts[:first_test + 1])
        for index in range(first_test):
            assert STDERR_MIME not in [mime for mime, _ in outputs(cells.nth(index))], \
                f"code cell {index} shows red text: {outputs(cells.nth(index))}"

        save(page)
        red = [(i, kind, text[:300]) for i, kind, text in saved_outputs(welcome["file"])
               if kind in ("stderr", "error")]
        assert len(red) == 1 and red[0][1] == "error" and "NotImplementedError" in red[0][2], red
    assert_no_console_errors(console)


def test_wrong_answer_visible_test_and_validate_say_what_failed(welcome):
    page, console = welcome["page"], welcome["console"]
    with evidence(page, "04-welcome-wrong-answer"):
        answer = code_cell(page, "def average(values):")
        test = code_cell(page, VISIBLE_TEST_LINE)
        set_source(answer, WRONG_AVERAGE)
        run_cell(page, answer)
        run_cell(page, test)
        test.scroll_into_view_if_needed()
        screenshot(page, "04-welcome-wrong-answer-test")
        # The last line of the test's output says, in words, what is wrong.
        said = " ".join(text for _, text in outputs(test)).strip().splitlines()[-1]
        assert said.startswith("AssertionError: ") and "average([1, 2, 3, 4])" in said, said
        assert "2.5" in said, said

        kind, text = validate(page)
        screenshot(page, "05-welcome-validate-wrong")
        close_dialog(page)
        assert kind == "failure", text
        assert "The following cell failed" in text
        # which test: the visible test's code, and why: the same message as in the notebook
        assert all(line in text for line in VISIBLE_TEST.splitlines() if line.strip())
        assert said in text
    assert_no_console_errors(console)


def test_right_answer_passes_and_validate_says_success(welcome):
    page, console = welcome["page"], welcome["console"]
    reference = reference_answers(read_notebook(ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"))
    with evidence(page, "06-welcome-right-answer"):
        answer = code_cell(page, "def average(values):")
        set_source(answer, reference["average"])
        answer.locator(".cm-content").click()
        menu(page, "Run", "Run Selected Cell and All Below")
        wait_cells_finished(page)
        test = code_cell(page, VISIBLE_TEST_LINE)
        test.scroll_into_view_if_needed()
        screenshot(page, "06-welcome-right-answer-test")
        assert outputs(test) == []  # a passing test stays silent
        prompts = code_cells(page).locator(".jp-InputArea-prompt").all_text_contents()
        assert all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts), prompts

        kind, text = validate(page)
        screenshot(page, "07-welcome-validate-right")
        close_dialog(page)
        assert kind == "success", text
        assert "Success! Your notebook passes all the tests." in text

    # Validate saved the notebook: every cell ran, the answer is in it, nothing is red.
    nb = nbformat.read(welcome["file"], as_version=4)
    saved = next(c.source for c in nb.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "average")
    assert saved.strip() == reference["average"].strip()
    assert [o for o in saved_outputs(welcome["file"]) if o[1] in ("stderr", "error")] == []
    assert_no_console_errors(console)


# --- a class: fetch, submit, and the instructor's formgrader ------------------------

def test_assignments_tab_shows_the_due_date_in_the_learners_time_zone(
        playwright_context, learner_lab, course, console):
    """The instructor's --sync publishes the lesson's due date; the learner's Assignments
    tab shows it under the lesson, in the browser's own time zone and language, and marks
    it once it has passed. Another learner's extension is never sent to the browser."""
    course["released"]()
    instructor = course["instructor"]
    (instructor / "deadlines.toml").write_text(
        'timezone = "Europe/London"\n'
        f"[due]\n{LESSON} = 2027-01-11T23:59:00\n"
        f'[extensions.{LESSON}]\nsomeone-else = "2 days"\n')
    synced = subprocess.run([sys.executable, "-m", "classroom.deadlines", "--sync"],
                            cwd=instructor, env=server_environment(), capture_output=True,
                            text=True, timeout=300)
    assert synced.returncode == 0, synced.stdout + synced.stderr

    # the learner's server (no hub): logged-in users only; the published due date, no
    # extension ("own": false: the tab says an extension may still hold)
    assert learner_lab.api("rnn-course/due-dates") == {
        "courses": {COURSE_ID: {LESSON: "2027-01-11T23:59:00+00:00"}}, "own": False}
    anonymous = f"http://127.0.0.1:{learner_lab.port}/rnn-course/due-dates"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=30)
    assert refused.value.code == 403

    page = playwright_context.new_page()
    console.watch(page)
    cdp = playwright_context.new_cdp_session(page)  # a learner in Tokyo, browsing in English
    cdp.send("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    cdp.send("Emulation.setLocaleOverride", {"locale": "en-GB"})
    try:
        with evidence(page, "08-due-date"):
            page.goto(learner_lab.url("lab", query="reset"))
            page.locator("#jp-main-dock-panel").wait_for()
            menu(page, "Nbgrader", "Assignment List")
            row = page.locator("#released_assignments_list > .list_item", has_text=LESSON)
            due = row.locator(".rnn-due time")
            due.wait_for()
            screenshot(page, "08-due-date")
            assert due.get_attribute("datetime") == "2027-01-11T23:59:00+00:00"
            # 23:59 in London on 11 January is 08:59 on the 12th in Tokyo (UTC+9)
            line = row.locator(".rnn-due").text_content()
            assert line.startswith("Due Tue, 12 Jan 2027, 08:59"), line
            assert "past due" not in line
            assert row.locator(".item_name").text_content().strip() == LESSON

            # a due date that has passed, published again: Refresh shows it marked
            publish(parse(f"[due]\n{LESSON} = 2020-03-02T09:00:00Z\n"),
                    course["exchange"] / COURSE_ID)
            page.locator("#refresh_assignments_list").click()
            past = row.locator(".rnn-due.rnn-due-past")
            past.wait_for()
            screenshot(page, "08-past-due")
            assert past.text_content().startswith("Due Mon, 2 Mar 2020, 18:00")
            assert "past due" in past.text_content()
            assert row.locator(".rnn-due").count() == 1
    finally:
        cdp.detach()
        page.close()
    assert_no_console_errors(console)


def test_fetch_submit_and_the_formgrader_lists_the_submission(
        playwright_context, learner_lab, course, console):
    from nbgrader.utils import get_username

    course["released"]()
    instructor_lab = JupyterLab(course["instructor"], course["tmp"] / "instructor-lab",
                                name="instructor").launch()
    try:
        page = open_lab(playwright_context, learner_lab, console=console)
        with evidence(page, "08-assignments"):
            menu(page, "Nbgrader", "Assignment List")
            released = page.locator("#released_assignments_list > .list_item")
            released.first.wait_for()
            screenshot(page, "08-assignments-released")
            assert released.count() == 1
            assert released.first.locator(".item_name").text_content().strip() == LESSON
            assert released.first.locator(".item_course").text_content().strip() == COURSE_ID

            released.first.locator(".item_status button", has_text="Fetch").click()
            fetched = page.locator("#fetched_assignments_list > .list_item")
            fetched.first.wait_for()
            screenshot(page, "09-assignments-fetched")
            assert (course["home"] / LESSON / f"{LESSON}.ipynb").is_file()

            fetched.first.locator(".item_status button", has_text="Submit").click()
            submitted = page.locator("#submitted_assignments_list > .list_item")
            submitted.first.wait_for()
            screenshot(page, "10-assignments-submitted")
            assert submitted.first.locator(".item_name").first.text_content().strip() == LESSON
        page.close()
        inbound = list((course["exchange"] / COURSE_ID / "inbound").iterdir())
        assert len(inbound) == 1 and inbound[0].name.startswith(f"{get_username()}+{LESSON}+")

        instructor_lab.wait()
        page = open_lab(playwright_context, instructor_lab, console=console)
        with evidence(page, "11-formgrader"):
            menu(page, "Nbgrader", "Formgrader")
            formgrader = page.frame_locator(".jp-MainAreaWidget iframe").first
            row = formgrader.locator("#main-table tr", has_text=LESSON)
            row.first.wait_for()
            screenshot(page, "11-formgrader-assignments")
            assert row.count() == 1
            assert row.locator(".num-submissions").text_content().strip() == "0"

            row.locator(".collect a").click()
            modal = formgrader.locator("#success-modal")
            ok = modal.locator("button", has_text="OK")
            ok.hover()  # waits until the modal has slid into place, for the screenshot
            screenshot(page, "12-formgrader-collected")
            assert f"Successfully collected submissions of '{LESSON}'" in modal.text_content()
            ok.click()
            modal.wait_for(state="hidden")

            row.locator(".num-submissions a", has_text="1").click()
            student = formgrader.locator("#main-table tr", has_text=get_username())
            student.first.wait_for()
            screenshot(page, "13-formgrader-submissions")
            assert student.count() == 1
            assert "needs autograding" in student.text_content()
        page.close()
    finally:
        instructor_lab.stop()
        if ARTIFACTS.exists():
            shutil.copy(instructor_lab.log_path, ARTIFACTS / instructor_lab.log_path.name)
    assert_no_console_errors(console)


# --- every lesson: a clean kernel and a quiet first cell ------------------------------

@pytest.fixture(scope="module")
def first_cells(playwright_context, learner_lab, course):
    """Every lesson opened from the file browser in a tab of one JupyterLab, and its first
    code cell run. The kernels start and import side by side (what a learner waits for
    is measured one lesson at a time by bench/first_cell_times.py)."""
    folder = course["home"] / "first-cell"  # untouched copies (my-work/00-welcome has run)
    folder.mkdir()
    for lesson in LESSONS:
        shutil.copy(ROOT / "course" / lesson / f"{lesson}.ipynb", folder)
    console = ConsoleLog()
    page = open_lab(playwright_context, learner_lab, console=console)
    panels, results = {}, {}
    try:
        with evidence(page, "20-first-cells"):
            open_in_file_browser(page, "first-cell")
            for lesson in LESSONS:
                panel = panels[lesson] = open_in_file_browser(page, f"{lesson}.ipynb")
                wait_kernel_idle(page, panel)
                assert page.locator(".jp-Dialog").count() == 0  # no "Select Kernel" dialog
                code_cells(panel).first.locator(".cm-content").click()
                page.keyboard.press("Control+Enter")
            for lesson, panel in panels.items():
                activate_tab(page, panel)
                first = code_cells(panel).first
                first.locator(".jp-InputArea-prompt", has_text="[1]:").wait_for()
                wait_kernel_idle(page, panel)
                screenshot(page, f"20-first-cell-{lesson}")
                results[lesson] = {
                    "source": first.locator(".jp-InputArea-editor").text_content(),
                    "prompt": prompt(first),
                    "outputs": outputs(first),
                    "kernel": panel.locator(".jp-Toolbar-kernelName").text_content(),
                    "dialogs": page.locator(".jp-Dialog").count(),
                }
    finally:
        page.close()
        learner_lab.shutdown_kernels()
    return results, console


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_starts_a_clean_kernel_and_runs_its_first_cell(first_cells, lesson):
    results, console = first_cells
    result = results[lesson]
    assert "import lessonkit" in result["source"]
    assert "Python 3 (ipykernel)" in result["kernel"]
    assert result["dialogs"] == 0
    assert result["prompt"] == "[1]:"
    red = [text for mime, text in result["outputs"] if mime == STDERR_MIME]
    assert red == [], f"the first cell of {lesson} shows red text: {red}"
    assert_no_console_errors(console)
