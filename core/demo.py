"""The bundled demo project: synthetic UK customer emails (no real person in it), imported from mbox."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from scrubdesk.core.errors import KeyringUnavailableError
from scrubdesk.core.importer import ImportSummary, run_import
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.keys import ENV_BACKEND, ENV_KEYRING_FILE, ENV_PASSPHRASE, resolve_backend
from scrubdesk.core.project import Project, is_project
from scrubdesk.core.synthetic import generate
from scrubdesk.core.synthetic.writers import write_gold_jsonl, write_mbox

DEMO_PASSPHRASE = "scrubdesk-demo"  # noqa: S105 - guards only synthetic data; documented in README
DEMO_SOURCE = "demo-inbox.mbox"
DEFAULT_COUNT = 400


def default_demo_dir() -> Path:
    return user_data_path("scrubdesk", appauthor=False) / "demo-project"


def use_demo_keyring_if_needed(demo_dir: Path) -> str | None:
    """With no secure OS keyring, the demo (synthetic data only) uses an encrypted key file with a known
    passphrase. Real projects never fall back like this. Returns a notice for the user, or None."""
    if os.environ.get(ENV_BACKEND):
        return None
    try:
        resolve_backend()
    except KeyringUnavailableError:
        os.environ[ENV_BACKEND] = "file"
        os.environ[ENV_PASSPHRASE] = DEMO_PASSPHRASE
        os.environ[ENV_KEYRING_FILE] = str(demo_dir.parent / "demo-keyring.cfg")
        return (
            "No secure OS keyring found: the demo project (synthetic data only) uses an encrypted key file "
            f"with the documented demo passphrase. Real projects refuse to run without a keyring unless "
            f"{ENV_BACKEND}=file is set explicitly."
        )
    return None


def create_demo_project(
    demo_dir: Path, count: int = DEFAULT_COUNT, seed: int = 7, control: JobControl | None = None
) -> tuple[Project, ImportSummary | None]:
    """Open the demo project, creating and filling it first if it does not exist yet."""

    if is_project(demo_dir):
        return Project.open(demo_dir), None
    project = Project.create(demo_dir, name="Scrubdesk demo (synthetic emails)")
    source = demo_dir / DEMO_SOURCE
    write_mbox(source, generate(count, seed=seed))
    write_gold_jsonl(demo_dir / "demo-gold.jsonl", generate(count, seed=seed))
    summary = run_import(project, [source], control=control)
    return project, summary
