"""`scrubdesk screenshots`: every main view, light and dark, of an existing project or of the showcase."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QPalette

from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import all_ids, count_messages, labels_and_sources
from scrubdesk.core.db.reviews import review_counts
from scrubdesk.core.db.spans import count_analysed
from scrubdesk.core.db.trained_models import count_predictions, list_models
from scrubdesk.core.project import Project
from tests.gui.conftest import fill_project
from tests.helpers import scrubdesk

pytestmark = pytest.mark.gui

VIEWS = [
    "welcome",
    "main-window",
    "main-window-scrubbed",
    "main-window-guide",
    "main-window-training",
    "main-window-unlabelled-uncertain",
    "main-window-review-queue",
    "import-dialog",
    "import-progress",
    "import-summary",
    "training-view",
    "export-dialog",
    "erasure-dialog",
    "audit-viewer",
    "assign-dialog",
    "label-review-queue",
    "agreement-view",
    "progress-view",
    "about",
]


def names(files: list[Path]) -> list[str]:
    return [f.name for f in files]


def lightness(file: Path) -> float:
    """Mean lightness (0-255) of a grid of pixels."""
    image = QImage(str(file))
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), max(1, image.width() // 40))
        for y in range(0, image.height(), max(1, image.height() // 40))
    ]
    return sum(values) / len(values)


def test_render_an_existing_project_in_both_themes_and_restore_the_theme(qapp, project, tmp_path):
    from scrubdesk.gui.screenshots import render_screenshots

    fill_project(project, tmp_path, 30, bad=2)
    style, window_colour = qapp.style().name(), qapp.palette().color(QPalette.ColorRole.Window)
    run = render_screenshots(project.path, tmp_path / "shots")
    assert run.problems == []
    assert names(run.files) == [f"{v}.png" for v in VIEWS] + [f"{v}-dark.png" for v in VIEWS]
    for file in run.files:
        image = QImage(str(file))
        assert not image.isNull() and image.width() > 200 and image.height() > 100, file
    shots = tmp_path / "shots"
    main = QImage(str(shots / "main-window.png"))
    assert (main.width(), main.height()) == (1280, 800)
    for view in ("welcome", "main-window", "import-dialog", "training-view", "audit-viewer"):
        assert lightness(shots / f"{view}-dark.png") < lightness(shots / f"{view}.png") - 60, view
    # The application looks as before (pytest-qt shares one application between tests).
    assert qapp.style().name() == style
    assert qapp.palette().color(QPalette.ColorRole.Window) == window_colour


@pytest.mark.slow
def test_the_showcase_goes_through_the_workflow_and_every_view_renders(qapp, tmp_path, monkeypatch):
    from scrubdesk.core.db.reviews import queue_size
    from scrubdesk.gui import screenshots

    state: dict[str, object] = {}
    real_build = screenshots.build_showcase

    def build_and_inspect(workdir, count, control):
        showcase = real_build(workdir, count, control)
        project = Project.open(showcase.project_path)
        with project.store() as store:
            labels = labels_and_sources(store, all_ids(store))
            reviews = review_counts(store)
            state.update(
                messages=count_messages(store),
                analysed=count_analysed(store),
                labelled=sum(label is not None for _id, label, _source in labels),
                annotated=sum(source == "annotator" for _id, _label, source in labels),
                approved=reviews.get("approved", 0),
                sent_back=reviews.get("sent_back", 0),
                queue=queue_size(store),
                models=[(m.id, int(m.stale)) for m in list_models(store)],
                predicted=count_predictions(store),
                unlabelled=sum(label is None for _id, label, _source in labels),
                quarantined=count_table(store, "quarantine"),
            )
        state["sources"] = [p.exists() for p in showcase.import_sources]
        state["query"] = showcase.erasure_query
        return showcase

    monkeypatch.setattr(screenshots, "build_showcase", build_and_inspect)
    run = screenshots.render_showcase(tmp_path / "shots", count=150, themes=("light",))
    assert run.problems == []
    assert names(run.files) == [f"{v}.png" for v in VIEWS]

    assert state["messages"] == 149  # one data subject was erased
    assert state["analysed"] == state["messages"]
    assert state["labelled"] == state["annotated"] == state["approved"] == 104  # 70% of 150, one erased
    assert state["models"] == [(1, 1), (2, 0)]  # the first trained on the erased message: stale
    assert state["predicted"] == state["unlabelled"] == 45
    assert (state["queue"], state["sent_back"]) == (11, 1)
    assert state["quarantined"] == 2
    assert state["sources"] == [True, True] and "@" in str(state["query"])
    shots = tmp_path / "shots"
    # The raw view and the scrubbed preview of the same message differ; so do the list filters.
    assert QImage(str(shots / "main-window.png")) != QImage(str(shots / "main-window-scrubbed.png"))
    assert QImage(str(shots / "main-window.png")) != QImage(
        str(shots / "main-window-unlabelled-uncertain.png")
    )


@pytest.mark.real_keyring  # the command runs in a subprocess: the project's key is in the file keyring
def test_command_renders_a_given_project(project, tmp_path):
    fill_project(project, tmp_path, 12)
    refused, _out, err = scrubdesk("screenshots", tmp_path / "out", "--project", project.path, check=False)
    assert refused["_exit"] == 2 and "--allow-raw" in err and not (tmp_path / "out").exists()
    summary, _out, _err = scrubdesk(
        "screenshots", tmp_path / "out", "--project", project.path, "--allow-raw", "--theme", "dark"
    )
    assert summary["ok"] is True and summary["problems"] == []
    assert [Path(f).name for f in summary["files"]] == [f"{v}-dark.png" for v in VIEWS]
    assert all(Path(f).is_file() for f in summary["files"])


def test_command_refuses_a_showcase_too_small_to_train_and_a_folder_that_is_no_project(tmp_path):
    summary, _out, err = scrubdesk("screenshots", tmp_path / "out", "--count", "20", check=False)
    assert summary["_exit"] == 2 and "at least 100" in err
    summary, _out, err = scrubdesk("screenshots", tmp_path / "out", "--project", tmp_path, check=False)
    assert summary["_exit"] == 2 and "not a Scrubdesk project" in err
    assert not (tmp_path / "out").exists()


def test_command_says_why_a_project_cannot_be_opened(project, tmp_path):
    # This project's key is in the test's in-memory keyring, which the subprocess cannot see.
    args = ("screenshots", tmp_path / "out", "--project", project.path, "--allow-raw")
    summary, _out, err = scrubdesk(*args, check=False)
    assert summary["_exit"] == 2 and "internal error" not in err
    assert "key" in err.lower()
