"""The data-inventory report for the DPO: where every copy of the project's data is, and who may touch it.

:func:`build_inventory` collects facts (counts, paths, dates, staleness, checksums, roles, retention,
consent, audit-log status) from the store and the file system; :func:`render_html` turns them into one
self-contained, printable HTML page (inline CSS, no scripts, no external resources). The inventory holds
no message text and no data subject's name or address: only counts, keyed digests, file paths and the
OS user names of project members. Everything is HTML-escaped, paths included.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.consent import consent_status
from scrubdesk.core.db import erasures as erasure_rows
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import imports, messages, reviews, settings, trained_models
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.errors import InputError
from scrubdesk.core.files import write_text_atomic
from scrubdesk.core.model_lineage import stale_explanation
from scrubdesk.core.project import STORE_FILE
from scrubdesk.core.roles import REVIEWER_ROLES, list_roles, require_role
from scrubdesk.core.store import Store

if TYPE_CHECKING:
    from scrubdesk.core.project import Project

REPORT_FORMAT = "scrubdesk-data-inventory"
MAX_FOLDER_FILES = 500
_CHUNK = 1 << 20


# --- facts -------------------------------------------------------------------------------------------------


def build_inventory(project: Project) -> dict[str, Any]:
    """Everything the report shows, as plain JSON-able data."""

    with project.store() as store:
        audit = AuditLog(store, project.keys.id_key).check(reanchor=False)
        inventory: dict[str, Any] = {
            "format": REPORT_FORMAT,
            "version": 1,
            "generated_at": utc_now(),
            "generated_by": current_os_user(),
            "project": {
                "name": project.name,
                "project_id": project.project_id,
                "created_at": project.created_at,
                "folder": str(project.path),
                "schema_version": store.schema_version,
                "keyring": project.keyring_description,
            },
            "sources": _sources(store),
            "counts": _counts(store),
            "copies": {
                "store": _store_copy(project),
                "key_file": _key_file(project),
                "exports": _exports(store),
                "models": _models(store, project.path),
                "erasures": _erasures(store, project.path),
                "folder": _folder(project.path),
            },
            "roles": [
                {"os_user": g.os_user, "role": g.role, "granted_by": g.granted_by, "granted_at": g.granted_at}
                for g in list_roles(store)
            ],
            "retention": _setting(store, "retention"),
            "consent": consent_status(store).as_dict(),
            "audit": {
                **audit.as_dict(),
                "problem_list": [{"seq": p.seq, "problem": p.problem} for p in audit.problems],
                "note_list": list(audit.notes),
            },
        }
    return inventory


def _sources(store: Store) -> list[dict[str, Any]]:
    return imports.source_rows(store)


def _counts(store: Store) -> dict[str, Any]:
    labels = label_rows.label_counts(store)
    quarantined = imports.quarantined_by_reason(store)
    return {
        "messages": messages.count_messages(store),
        "labelled": sum(labels.values()),
        "labels": dict(sorted(labels.items())),
        "purged": messages.count_purged(store),
        "data_subjects": messages.count_subjects(store),
        "analysed": span_rows.count_analysed(store),
        "pii_spans": span_rows.count_all(store),
        "approved": reviews.count_approved(store),
        "suggestions": trained_models.count_predictions(store),
        "quarantined": sum(quarantined.values()),
        "quarantined_by_reason": quarantined,
    }


def _file_facts(path: Path, expected_sha256: str | None = None) -> dict[str, Any]:
    """Whether ``path`` exists, its size and (when a checksum was registered) whether it still matches."""
    facts: dict[str, Any] = {"exists": path.is_file(), "size_bytes": None}
    if expected_sha256 is not None:
        facts["sha256_matches"] = None
    if not facts["exists"]:
        return facts
    try:
        facts["size_bytes"] = path.stat().st_size
        if expected_sha256 is not None:
            facts["sha256_matches"] = sha256_file(path) == expected_sha256.lower()
    except OSError:
        facts["exists"] = False
    return facts


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _store_copy(project: Project) -> dict[str, Any]:

    path = project.path / STORE_FILE
    side = {
        "-wal": "write-ahead log: recent changes, encrypted pages",
        "-shm": "index of the write-ahead log (no message data)",
    }
    return {
        "path": str(path),
        "size_bytes": path.stat().st_size if path.exists() else None,
        "side_files": [
            {"path": str(p), "size_bytes": p.stat().st_size, "role": role}
            for p, role in ((path.with_name(path.name + s), r) for s, r in side.items())
            if p.exists()
        ],
        "encryption": "SQLCipher (AES-256, page HMAC); "
        + (
            f"key in the encrypted key file {project.key_file} (Argon2 + AES-GCM), not in the OS keyring"
            if project.key_file is not None
            else f"key only in the OS keyring ({project.keyring_description})"
        ),
    }


def _key_file(project: Project) -> dict[str, Any] | None:
    """The encrypted key file, when the project's keys are in one: it is a copy of the keys to protect."""
    if project.key_file is None:
        return None
    return {"path": str(project.key_file), **_file_facts(project.key_file)}


def _exports(store: Store) -> list[dict[str, Any]]:
    rows = []
    for record in export_rows.list_exports(store):
        row: dict[str, Any] = {
            "id": record.id,
            "created_at": record.created_at,
            "os_user": record.os_user,
            "path": record.path,
            "format": record.format,
            "columns": list(record.columns),
            "n_rows": record.n_rows,
            "model_id": record.model_id,
            "stale": record.stale,
        }
        row.update(_file_facts(Path(record.path), record.file_sha256))
        rows.append(row)
    return rows


def _models(store: Store, folder: Path) -> list[dict[str, Any]]:
    rows = trained_models.model_rows(store)
    for row in rows:
        row["labels"] = len(_json_list(row["labels"]))
        row["stale"] = bool(row["stale"])
        path = _in_folder(folder, row["path"])
        row["path"] = str(path)
        row.update(_file_facts(path))
    return rows


def _erasures(store: Store, folder: Path) -> list[dict[str, Any]]:
    rows = []
    for record in erasure_rows.list_erasures(store):
        row = dataclasses.asdict(record)
        row["models_marked_stale"] = list(record.models_marked_stale)
        row["exports_marked_stale"] = list(record.exports_marked_stale)
        expected = row.pop("certificate_sha256")
        if row["certificate_path"]:
            path = _in_folder(folder, row["certificate_path"])
            row["certificate_path"] = str(path)
            row["certificate"] = _file_facts(path, expected)
        else:
            row["certificate"] = None
        rows.append(row)
    return rows


def _folder(folder: Path) -> dict[str, Any]:
    """Every file in the project folder (names and sizes only): a copy nobody registered shows up here."""
    files: list[dict[str, Any]] = []
    total = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        total += 1
        if len(files) < MAX_FOLDER_FILES:
            try:
                size: int | None = path.stat().st_size
            except OSError:
                size = None
            files.append({"path": path.relative_to(folder).as_posix(), "size_bytes": size})
    return {"files": files, "total_files": total}


def _in_folder(folder: Path, path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else folder / p


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _setting(store: Store, key: str) -> Any:
    return settings.get_json(store, key)


# --- writing ---------------------------------------------------------------------------------------------


def write_report(project: Project, out: Path) -> dict[str, Any]:
    """Build the inventory, write it as HTML to ``out`` (atomically) and audit-log it. Admin or reviewer."""
    out = Path(out).absolute()
    if out.is_dir():
        raise InputError(f"{out} is a folder; give a file name such as inventory.html")
    if not out.parent.is_dir():
        raise InputError(f"the folder {out.parent} does not exist")
    with project.store() as store:
        require_role(store, REVIEWER_ROLES, "the data-inventory report")
    inventory = build_inventory(project)
    page = render_html(inventory)
    write_text_atomic(out, page)
    digest = hashlib.sha256(page.encode("utf-8")).hexdigest()
    with project.store() as store, store.transaction():
        role = require_role(store, REVIEWER_ROLES, "the data-inventory report")
        # The path stays out of the entry (a file name can name a person); the digest identifies the file.
        AuditLog(store, project.keys.id_key).append(
            "inventory_report",
            objects=[digest],
            details={
                "exports": len(inventory["copies"]["exports"]),
                "models": len(inventory["copies"]["models"]),
                "erasures": len(inventory["copies"]["erasures"]),
                "audit_ok": inventory["audit"]["ok"],
            },
            role=role,
        )
    return {"path": str(out), "sha256": digest, "bytes": len(page.encode("utf-8")), "inventory": inventory}


# --- HTML ------------------------------------------------------------------------------------------------

CSS = """
body { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid #333; padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin-top: 1.2rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; font-size: 0.95em; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.path, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em;
                word-break: break-all; }
.ok { color: #065f07; font-weight: 600; }
.bad { color: #a40000; font-weight: 600; }
.muted { color: #666; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { page-break-after: avoid; break-after: avoid; }
  table, tr { page-break-inside: avoid; break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(value: Any) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value), quote=True)


def _flag(good: bool | None, yes: str, no: str, unknown: str = "—") -> str:
    if good is None:
        return f'<span class="muted">{_e(unknown)}</span>'
    return f'<span class="ok">{_e(yes)}</span>' if good else f'<span class="bad">{_e(no)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    body = ["<tr>" + "".join(cells) + "</tr>" for cells in rows]
    if not body:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _td(value: Any, kind: str = "") -> str:
    cls = f' class="{kind}"' if kind else ""
    return f"<td{cls}>{_e(value)}</td>"


def _td_html(markup: str) -> str:
    return f"<td>{markup}</td>"


def _num(value: Any) -> str:
    return _td(f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value, "num")


def _pairs(items: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th>{_num(v)}</tr>" for k, v in items)
    return f"<table><tbody>{rows}</tbody></table>"


def _retention(value: Any) -> str:
    mode = value.get("mode") if isinstance(value, dict) else None
    if value is None or mode == "none":
        return "<p>No retention rule is set: data is kept until someone erases or purges it.</p>"
    if not isinstance(value, dict):
        return f"<p>{_e(_plain(value))}</p>"
    sentence = {
        "until": f"Keep the dataset until {value.get('until')}; then purge it (models, IDs and labels stay).",
        "after_training": "Delete the dataset once a model is trained (models, IDs and labels stay).",
    }.get(str(mode))
    rows = "".join(f"<tr><th>{_e(k)}</th>{_td(_plain(v))}</tr>" for k, v in sorted(value.items()))
    return (f"<p>{_e(sentence)}</p>" if sentence else "") + f"<table><tbody>{rows}</tbody></table>"


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def render_html(inventory: dict[str, Any]) -> str:
    """One printable page. Every value is escaped; there is no script and nothing is loaded from outside."""
    project = inventory["project"]
    counts = inventory["counts"]
    copies = inventory["copies"]
    audit = inventory["audit"]
    consent = inventory["consent"]
    parts: list[str] = []
    add = parts.append

    add(f"<h1>Data inventory: {_e(project['name'])}</h1>")
    add(
        f'<p class="meta">Generated {_e(inventory["generated_at"])} by OS user '
        f"{_e(inventory['generated_by'])} with Scrubdesk. This report lists where the project's data is "
        "and who may use it; it contains no "
        "message text and no data subject's name or address.</p>"
    )

    add('<h2 id="project">Project</h2>')
    add(
        "<table><tbody>"
        f"<tr><th>Name</th>{_td(project['name'])}</tr>"
        f"<tr><th>Project ID</th>{_td(project['project_id'], 'path')}</tr>"
        f"<tr><th>Created</th>{_td(project['created_at'])}</tr>"
        f"<tr><th>Folder</th>{_td(project['folder'], 'path')}</tr>"
        f"<tr><th>Key storage</th>{_td(project['keyring'], 'path')}</tr>"
        f"<tr><th>Schema version</th>{_num(project['schema_version'])}</tr>"
        "</tbody></table>"
    )

    add('<h2 id="sources">Sources imported</h2>')
    add(
        _table(
            ("Location", "Format", "First import", "Last import", "Messages", "Quarantined"),
            (
                (
                    _td(s["location"], "path"),
                    _td(s["format"]),
                    _td(s["first_imported_at"]),
                    _td(s["last_imported_at"]),
                    _num(s["messages"]),
                    _num(s["quarantined"]),
                )
                for s in inventory["sources"]
            ),
            "Nothing has been imported.",
        )
    )

    add('<h2 id="counts">What the store holds</h2>')
    add(
        _pairs(
            [
                ("Messages", counts["messages"]),
                ("Labelled messages", counts["labelled"]),
                ("Messages purged by retention (content removed)", counts["purged"]),
                ("Distinct data subjects (keyed IDs)", counts["data_subjects"]),
                ("Messages analysed for personal data", counts["analysed"]),
                ("Personal-data spans found", counts["pii_spans"]),
                ("Redactions approved by a reviewer", counts["approved"]),
                ("Model suggestions stored", counts["suggestions"]),
                ("Items in quarantine (not imported)", counts["quarantined"]),
            ]
        )
    )
    if counts["labels"]:
        add("<h3>Labels</h3>")
        add(_pairs(sorted(counts["labels"].items())))
    if counts["quarantined_by_reason"]:
        add("<h3>Quarantine by reason</h3>")
        add(_pairs(sorted(counts["quarantined_by_reason"].items())))

    add('<h2 id="copies">Every copy of the data</h2>')
    store = copies["store"]
    add("<h3>Encrypted project store</h3>")
    add(
        _table(
            ("Path", "Size (bytes)", "Protection"),
            [
                (_td(store["path"], "path"), _num(store["size_bytes"]), _td(store["encryption"])),
                *(
                    (_td(f["path"], "path"), _num(f["size_bytes"]), _td(f["role"]))
                    for f in store["side_files"]
                ),
            ],
            "The store file is missing.",
        )
    )
    key_file = copies.get("key_file")
    if key_file is not None:
        add("<h3>Encrypted key file (the project's keys)</h3>")
        add(
            _table(
                ("Path", "Size (bytes)", "Protection"),
                [
                    (
                        _td(key_file["path"], "path"),
                        _num(key_file["size_bytes"]),
                        _td("Argon2 + AES-GCM under a passphrase; whoever has both can open the store"),
                    )
                ],
                "The key file is missing.",
            )
        )
    add("<h3>Exports (keyed IDs and labels)</h3>")
    add(
        _table(
            ("#", "Path", "Created", "By", "Format", "Rows", "Columns", "Stale", "File present", "Unchanged"),
            (
                (
                    _num(x["id"]),
                    _td(x["path"], "path"),
                    _td(x["created_at"]),
                    _td(x["os_user"]),
                    _td(x["format"]),
                    _num(x["n_rows"]),
                    _td(", ".join(map(str, x["columns"]))),
                    _td_html(_flag(not x["stale"], "no", "stale: contains erased data")),
                    _td_html(_flag(x["exists"], "yes", "no (deleted or moved)")),
                    _td_html(_flag(x["sha256_matches"], "sha256 matches", "sha256 differs")),
                )
                for x in copies["exports"]
            ),
            "No exports have been written.",
        )
    )
    add("<h3>Trained models</h3>")
    add(
        _table(
            ("#", "Path", "Created", "Trained on", "Labels", "Stale", "File present"),
            (
                (
                    _num(m["id"]),
                    _td(m["path"], "path"),
                    _td(m["created_at"]),
                    _num(m["n_train"]),
                    _num(m["labels"]),
                    _td_html(
                        _flag(not m["stale"], "no", "stale: " + stale_explanation(m.get("stale_reason")))
                    ),
                    _td_html(_flag(m["exists"], "yes", "no")),
                )
                for m in copies["models"]
            ),
            "No models have been trained.",
        )
    )
    add("<h3>Files in the project folder</h3>")
    folder = copies["folder"]
    add(
        _table(
            ("File", "Size (bytes)"),
            ((_td(f["path"], "path"), _num(f["size_bytes"])) for f in folder["files"]),
            "The project folder is empty.",
        )
    )
    if folder["total_files"] > len(folder["files"]):
        add(f'<p class="muted">… and {_e(folder["total_files"] - len(folder["files"]))} more files.</p>')

    add('<h2 id="erasures">Erasures</h2>')
    add(
        _table(
            (
                "Certificate",
                "When",
                "By",
                "Role",
                "Messages",
                "Spans",
                "Models stale",
                "Exports stale",
                "File",
            ),
            (
                (
                    _td(c["certificate_id"], "path"),
                    _td(c["at"]),
                    _td(c["os_user"]),
                    _td(c["role"]),
                    _num(c["n_messages"]),
                    _num(c["n_spans"]),
                    _td(", ".join(map(str, c["models_marked_stale"])) or "none"),
                    _td(", ".join(map(str, c["exports_marked_stale"])) or "none"),
                    _td_html(_certificate(c)),
                )
                for c in copies["erasures"]
            ),
            "No erasures have been carried out.",
        )
    )

    add('<h2 id="roles">Roles</h2>')
    add(
        _table(
            ("OS user", "Role", "Granted by", "Granted"),
            (
                (_td(r["os_user"]), _td(r["role"]), _td(r["granted_by"]), _td(r["granted_at"]))
                for r in inventory["roles"]
            ),
            "Nobody holds a role.",
        )
    )

    add('<h2 id="retention">Retention</h2>')
    add(_retention(inventory["retention"]))

    add('<h2 id="consent">Consent</h2>')
    add(
        _pairs(
            [
                ("Consenting data subjects (keyed IDs)", consent["subjects"]),
                ("… of whom sent stored messages", consent["senders_with_consent"]),
                ("Messages from consenting senders", consent["messages"]),
                ("Messages in total", consent["messages_total"]),
            ]
        )
    )
    if consent["lists"]:
        add("<h3>Consent lists</h3>")
        add(_pairs(sorted(consent["lists"].items())))

    add('<h2 id="audit">Audit log</h2>')
    verdict = _flag(audit["ok"], "intact", "PROBLEMS FOUND")
    anchored = audit["anchor_seq"] if audit["anchor_seq"] is not None else "no anchor"
    add(
        "<table><tbody>"
        f"<tr><th>Verification</th>{_td_html(verdict)}</tr>"
        f"<tr><th>Entries</th>{_num(audit['entries'])}</tr>"
        f"<tr><th>Newest entry</th>{_num(audit['last_seq'])}</tr>"
        f"<tr><th>Anchor (audit.head) at entry</th>{_num(anchored)}</tr>"
        f"<tr><th>Receipt</th><td><code>{_e(audit.get('receipt') or '-')}</code></td></tr>"
        "</tbody></table>"
        '<p class="muted">Keep the receipt with this report: <code>scrubdesk audit verify DIR --receipt '
        "SEQ:MAC</code> later proves the log still holds that entry, even if an older copy of the whole "
        "project were restored.</p>"
    )
    items = [f"<li>{_e(_problem_text(p))}</li>" for p in audit["problem_list"]]
    items += [f'<li class="muted">note: {_e(n)}</li>' for n in audit["note_list"]]
    if items:
        add(f"<ul>{''.join(items)}</ul>")

    title = _e(f"Data inventory: {project['name']}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _problem_text(problem: dict[str, Any]) -> str:
    return f"entry {problem['seq']}: {problem['problem']}" if problem["seq"] else str(problem["problem"])


def _certificate(c: dict[str, Any]) -> str:
    facts = c["certificate"]
    if facts is None:
        return '<span class="muted">not written</span>'
    path = f"<code>{_e(c['certificate_path'])}</code>"
    if not facts["exists"]:
        return f'{path}<br><span class="bad">missing</span>'
    return f"{path}<br>{_flag(facts['sha256_matches'], 'sha256 matches', 'sha256 differs', 'no checksum')}"
