"""CLI commands of the ML layer: detect (no project), eval-pii, analyze, train, predict, evaluate."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.errors import InputError
from scrubdesk.core.redaction import OPERATORS, Keyer, RedactionPolicy, Redactor


def register(sub: Subparsers) -> None:
    p = sub.add_parser("detect", help="find and redact PII in a JSON-lines file (no project needed)")
    p.add_argument(
        "input", type=Path, metavar="IN.jsonl", help='lines of {"id", "text", "headers"?}; - for stdin'
    )
    p.add_argument(
        "output",
        type=Path,
        metavar="OUT.jsonl",
        help='lines of {"id", "spans", "scrubbed", "scrubbed_subject"?}; subject spans carry "field": '
        '"subject"; - for stdout',
    )
    p.add_argument("--operator", choices=OPERATORS, default="placeholder", help="how spans are redacted")
    p.add_argument("--config", type=Path, help="recogniser configuration YAML (default: the packaged one)")
    p.add_argument("--batch-size", type=int, default=32)
    add_json_flag(p)
    p.set_defaults(handler=cmd_detect)

    p = sub.add_parser(
        "eval-pii", help="precision/recall/F2 per entity on a gold set, ours vs plain Presidio"
    )
    p.add_argument("--gold", type=Path, required=True, metavar="FILE.jsonl")
    p.add_argument("--config", type=Path, help="recogniser configuration YAML")
    p.add_argument("--limit", type=int, help="only the first N records")
    add_json_flag(p)
    p.set_defaults(handler=cmd_eval_pii)

    p = sub.add_parser("analyze", help="find PII in new or changed messages of a project (incremental)")
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("--config", type=Path, help="recogniser configuration YAML")
    p.add_argument("--force", action="store_true", help="re-analyse every message")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument(
        "--workers", type=int, default=1, help="processes (each loads its own spaCy pipeline, ~250 MB)"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_analyze)

    p = sub.add_parser("train", help="train the triage model on approved, scrubbed messages (audited)")
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument(
        "--features",
        choices=("auto", "e5", "tfidf"),
        default="auto",
        help="e5 sentence embeddings (no strings in the model; needs AVX2) or word/char n-gram TF-IDF; "
        "auto: e5 where it runs",
    )
    p.add_argument(
        "--k", type=int, default=5, help="TF-IDF: a term needs messages from at least K distinct senders"
    )
    p.add_argument(
        "--membership-gate",
        type=float,
        default=0.55,
        help="highest membership-inference AUC a model may have to be saved (default 0.55)",
    )
    p.add_argument(
        "--accept-membership-risk",
        action="store_true",
        help="save the model even above the membership gate (recorded in the card and the audit log)",
    )
    p.add_argument(
        "--dp-epsilon", type=float, help="train an (epsilon, delta)-DP logistic regression instead"
    )
    p.add_argument("--dp-delta", type=float, help="DP delta (default min(1e-5, 1/n^2))")
    p.add_argument("--folds", type=int, default=5, help="stratified cross-validation folds (default 5)")
    p.add_argument(
        "--latent",
        choices=("auto", "on", "off"),
        default="auto",
        help="classify in a low-rank latent space (LSA); auto: when under 100 messages per label",
    )
    p.add_argument("--latent-dims", type=int, help="latent dimensions (default max(50, 3 x labels))")
    p.add_argument(
        "--cost-report", action="store_true", help="also measure accuracy on raw vs scrubbed vs DP text"
    )
    p.add_argument(
        "--consent-only",
        action="store_true",
        help="train only on messages whose sender is on a consent list; reports a bias check",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_train)

    models = sub.add_parser("models", help="trained triage models").add_subparsers(
        dest="models_command", required=True
    )
    p = models.add_parser("list", help="every trained model with its metrics, audit and stale marker")
    p.add_argument("dir", type=Path, help="project directory")
    add_json_flag(p)
    p.set_defaults(handler=cmd_models_list)

    model = sub.add_parser("model", help="one trained model: export it as a package").add_subparsers(
        dest="model_command", required=True
    )
    p = model.add_parser(
        "export", help="write a model package (clear, audited, admin) for `scrubdesk classify`, after a scan"
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("output", type=Path, metavar="OUT.zip")
    p.add_argument("--model-id", type=int, help="default: the latest current model")
    p.add_argument("--config", type=Path, help="the recogniser configuration the project analysed with")
    add_json_flag(p)
    p.set_defaults(handler=cmd_model_export)

    p = sub.add_parser(
        "classify", help="label incoming mail with an exported model package (no project needed)"
    )
    p.add_argument("model", type=Path, metavar="MODEL.zip", help="from `scrubdesk model export`")
    p.add_argument("input", type=Path, metavar="IN", help=".jsonl, .eml or .mbox")
    p.add_argument(
        "output", type=Path, metavar="OUT.jsonl", help="id, label, confidence, needs_human; - for stdout"
    )
    p.add_argument("--routing", type=Path, metavar="ROUTES.csv", help="label,destination rows")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        help="confidence below which needs_human is true (default 0.5)",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_classify)

    p = sub.add_parser("predict", help="suggest labels (with confidence) for unlabelled messages")
    p.add_argument("dir", type=Path, help="project directory")
    add_json_flag(p)
    p.set_defaults(handler=cmd_predict)

    p = sub.add_parser("evaluate", help="score a labelled CSV through the same scrubbing as training")
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("test_file", type=Path, metavar="TEST.csv")
    p.add_argument("--text-column", required=True)
    p.add_argument("--label-column", required=True)
    p.add_argument("--config", type=Path, help="recogniser configuration YAML")
    p.add_argument("--workers", type=int, default=1, help="PII analysis processes")
    add_json_flag(p)
    p.set_defaults(handler=cmd_evaluate)


# --- detect ----------------------------------------------------------------------------------------------


def _records(stream: TextIO) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            yield n, None
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text", ""), str):
            yield n, None
            continue
        yield n, record


def _subject(record: dict[str, Any]) -> str:
    """The Subject header of a detect record ('' when absent or not a string)."""
    headers = record.get("headers")
    if not isinstance(headers, dict):
        return ""
    value = next((v for k, v in headers.items() if str(k).lower() == "subject"), "")
    return value if isinstance(value, str) else ""


def _open_in(path: Path) -> TextIO:
    if str(path) == "-":
        return sys.stdin
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    return path.open(encoding="utf-8", errors="replace")


def _open_out(path: Path) -> TextIO:
    if str(path) == "-":
        return sys.stdout
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {type(exc).__name__}") from exc


def cmd_detect(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.models.pii.analyzer import AnalysisInput
    from scrubdesk.models.pii.engine import get_analyzer

    analyzer = get_analyzer(args.config)
    # No project, so no project key: a random key for this run keeps surrogates and hashes consistent
    # within the run and unlinkable across runs.
    redactor = Redactor(RedactionPolicy(default=args.operator), Keyer(os.urandom(32)))
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    records = errors = 0
    source, sink = _open_in(args.input), _open_out(args.output)
    try:
        batch: list[tuple[int, dict[str, Any] | None]] = []  # None: a bad line, reported in place

        def flush() -> None:
            nonlocal records
            good = [r for _, r in batch if r is not None]
            inputs = [AnalysisInput(r.get("text") or "", r.get("headers") or None) for r in good]
            subjects = [(r, _subject(r)) for r in good]
            inputs += [AnalysisInput(subj, r.get("headers") or None) for r, subj in subjects if subj]
            found = list(analyzer.analyze_many(inputs, args.batch_size))
            body_results, subject_results = iter(found[: len(good)]), iter(found[len(good) :])
            for n, record in batch:
                if record is None:
                    error = {"id": None, "line": n, "error": "not a JSON object with a text"}
                    sink.write(json.dumps(error) + "\n")
                    continue
                spans = next(body_results)
                text = record.get("text") or ""
                line: dict[str, Any] = {
                    "id": record.get("id"),
                    "spans": [s.as_dict() for s in spans],
                    "scrubbed": redactor.redact(text, spans),
                }
                counts.update(s.label for s in spans)
                subject = _subject(record)
                if subject:
                    subject_spans = next(subject_results)
                    line["spans"] += [{**s.as_dict(), "field": "subject"} for s in subject_spans]
                    line["scrubbed_subject"] = redactor.redact(subject, subject_spans)
                    counts.update(s.label for s in subject_spans)
                sink.write(json.dumps(line, ensure_ascii=False) + "\n")
                records += 1
            batch.clear()
            out.progress(records, None, f"{records} records, {sum(counts.values())} spans")

        for n, record in _records(source):
            errors += record is None
            batch.append((n, record))
            if len(batch) >= args.batch_size:
                flush()
        if batch:
            flush()
    finally:
        if source is not sys.stdin:
            source.close()
        if sink is not sys.stdout:
            sink.close()
    seconds = time.perf_counter() - started
    return {
        "ok": errors == 0,
        "records": records,
        "errors": errors,
        "spans": sum(counts.values()),
        "spans_by_label": dict(sorted(counts.items())),
        "operator": args.operator,
        "seconds": round(seconds, 3),
        "records_per_s": round(records / seconds, 1) if seconds else None,
    }


# --- eval-pii ----------------------------------------------------------------------------------------------


def cmd_eval_pii(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.models.pii.analyzer import AnalysisInput
    from scrubdesk.models.pii.baseline import presidio_spans
    from scrubdesk.models.pii.engine import build_presidio_default, get_analyzer
    from scrubdesk.models.pii.entities import LABELS
    from scrubdesk.models.pii.evaluation import evaluate, leaks, read_gold_jsonl

    docs = read_gold_jsonl(args.gold)[: args.limit]
    if not docs:
        raise InputError(f"{args.gold} holds no gold records")
    labels = set(LABELS) | {s.label for d in docs for s in d.spans}
    analyzer = get_analyzer(args.config)
    started = time.perf_counter()
    ours = list(analyzer.analyze_many(AnalysisInput(d.text, d.headers) for d in docs))
    ours_seconds = time.perf_counter() - started
    presidio = build_presidio_default(analyzer.config.model, analyzer.config.language)
    started = time.perf_counter()
    theirs = list(presidio_spans(presidio, (d.text for d in docs), analyzer.config.language))
    theirs_seconds = time.perf_counter() - started

    gold = [d.spans for d in docs]
    ignored = [d.ignored for d in docs]  # annotated but unscored regions: neither right nor wrong
    result_ours = evaluate(gold, ours, labels, ignored)
    result_theirs = evaluate(gold, theirs, labels, ignored)
    redactor = Redactor(RedactionPolicy(), Keyer(os.urandom(32)))
    leaked_ours, total = leaks(docs, [redactor.redact(d.text, s) for d, s in zip(docs, ours, strict=True)])
    leaked_theirs, _ = leaks(docs, [redactor.redact(d.text, s) for d, s in zip(docs, theirs, strict=True)])

    out.info(f"{len(docs)} gold texts, {total} gold spans")
    header = f"{'ours P':>7} {'R':>6} {'F2':>6}   {'presidio P':>10} {'R':>6} {'F2':>6}"
    out.info(f"{'entity':16} {'support':>7}  {header}")
    for label in sorted(set(result_ours.per_entity) | set(result_theirs.per_entity)):
        a, b = result_ours.per_entity.get(label), result_theirs.per_entity.get(label)
        either = a or b
        support = either.support if either is not None else 0
        out.info(f"{label:16} {support:7d}  {_prf(a)}   {_prf(b, wide=True)}")
    out.info(f"{'ALL':16} {total:7d}  {_prf(result_ours.overall)}   {_prf(result_theirs.overall, wide=True)}")
    out.info(
        f"leak rate: ours {leaked_ours / total:.2%}, presidio {leaked_theirs / total:.2%}; "
        f"speed: ours {len(docs) / ours_seconds:.1f} texts/s, "
        f"presidio {len(docs) / theirs_seconds:.1f} texts/s"
    )
    return {"ours": result_ours.summary(), "presidio_default": result_theirs.summary()}


def _prf(score: Any, *, wide: bool = False) -> str:
    if score is None:
        return "-".rjust(22 if wide else 21)
    first = f"{score.precision:10.3f}" if wide else f"{score.precision:7.3f}"
    return f"{first} {score.recall:6.3f} {score.f2:6.3f}"


# --- analyze -----------------------------------------------------------------------------------------------


def cmd_analyze(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.project import Project
    from scrubdesk.models.pii.analysis_job import run_analysis
    from scrubdesk.models.pii.engine import get_analyzer

    project = Project.open(args.dir)
    analyzer = get_analyzer(args.config)
    control = out.job_control()
    try:
        summary = run_analysis(
            project, analyzer, control, batch_size=args.batch_size, force=args.force, workers=args.workers
        )
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        control.cancel()
        raise
    if summary.cancelled:
        out.info("analysis cancelled: finished batches are kept; run the same command again to complete it")
    if summary.approvals_kept or summary.approvals_to_redo:
        out.info(
            f"approvals: {summary.approvals_kept} still hold (same suggestions), {summary.approvals_to_redo} "
            "need review again (suggestions or content changed)"
        )
    if summary.language_unsupported:
        out.info(
            f"{summary.language_unsupported} message(s) are in a language the analyser does not read: only "
            "addresses, numbers and codes were marked. Review them by hand (approve-all leaves them out)."
        )
    return {"ok": not summary.cancelled, **summary.as_dict()}


# --- train, predict, evaluate ---------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.project import Project
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.training_job import run_training

    try:
        settings = TriageSettings(
            features=args.features,
            max_membership_auc=args.membership_gate,
            k=args.k,
            dp_epsilon=args.dp_epsilon,
            dp_delta=args.dp_delta,
            cv_folds=args.folds,
            latent=args.latent,
            latent_dims=args.latent_dims,
        )
    except ValueError as exc:
        raise InputError(str(exc)) from None
    project = Project.open(args.dir)
    control = out.job_control()
    try:
        summary = run_training(
            project,
            settings,
            control,
            cost_report=args.cost_report,
            consent_only=args.consent_only,
            accept_membership_risk=args.accept_membership_risk,
        )
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        control.cancel()
        raise
    if summary.cancelled:
        out.info("training cancelled: nothing was saved")
    elif not summary.saved:
        out.info(f"the model was NOT saved: {summary.explanation}")
    else:
        out.info(f"model saved, sealed under the project key: {summary.model_path} (card beside it)")
        if summary.audit.get("membership_risk_accepted"):
            out.info(
                f"warning: membership-inference AUC {summary.audit['membership_inference']['auc']:.3f} is "
                f"above the gate {settings.max_membership_auc}; saved because the risk was accepted "
                "(recorded in the card and the audit log)"
            )
        if summary.consent:
            shift = summary.consent["label_shift"]["total_variation"]
            out.info(
                f"consent-only: {summary.consent['n_consenting']} of {summary.consent['n_full']} messages; "
                f"label shift (TVD) {shift:.3f}; accuracy on the non-consenting part "
                f"{summary.consent['non_consenting_accuracy']}"
            )
    return {"ok": summary.saved, **summary.as_dict()}


def cmd_models_list(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.db.trained_models import list_models
    from scrubdesk.core.project import Project

    project = Project.open(args.dir)
    with project.store() as store:
        records = list_models(store)
    rows = []
    for r in records:
        mia = r.audit.get("membership_inference", {})
        rows.append(
            {
                "id": r.id,
                "created_at": r.created_at,
                "path": r.path,
                "n_train": r.n_train,
                "labels": len(r.labels),
                "accuracy": r.metrics.get("accuracy"),
                "macro_f1": r.metrics.get("macro_f1"),
                "membership_auc": mia.get("auc"),
                "dp_epsilon": r.settings.get("dp_epsilon"),
                "consent_only": bool(r.audit.get("consent")),
                "stale": r.stale,
                "stale_reason": r.stale_reason,
                "file_present": (project.path / r.path).is_file(),
            }
        )
    if not rows:
        out.info("no trained model yet: run `scrubdesk train`")
    for row in rows:
        marks = [
            m
            for m, on in (
                ("STALE", row["stale"]),
                ("file missing", not row["file_present"]),
                (f"DP epsilon={row['dp_epsilon']}", row["dp_epsilon"] is not None),
                ("consent-only", row["consent_only"]),
            )
            if on
        ]
        extra = f" [{', '.join(marks)}]" if marks else ""
        out.info(
            f"{row['id']:>4}  {row['created_at']}  n={row['n_train']}  accuracy={row['accuracy']}  "
            f"membership AUC={row['membership_auc']}{extra}"
        )
    latest = rows[-1] if rows else None
    if latest and latest["stale"]:
        out.info("the latest model is stale (trained on erased messages): `scrubdesk predict` refuses it")
    return {
        "ok": True,
        "models": rows,
        "count": len(rows),
        "stale": sum(r["stale"] for r in rows),
        "latest_id": latest["id"] if latest else None,
        "latest_stale": latest["stale"] if latest else None,
    }


def cmd_predict(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.project import Project
    from scrubdesk.models.triage.predict import run_prediction

    summary = run_prediction(Project.open(args.dir), out.job_control())
    return {"ok": not summary.cancelled, **summary.as_dict()}


def cmd_evaluate(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.project import Project
    from scrubdesk.models.pii.engine import get_analyzer
    from scrubdesk.models.triage.evaluate import evaluate_file, evaluation_summary

    project = Project.open(args.dir)
    analyzer = get_analyzer(args.config)
    evaluation = evaluate_file(
        project,
        analyzer,
        args.test_file,
        args.text_column,
        args.label_column,
        workers=args.workers,
        control=out.job_control(),
    )
    return {"ok": True, **evaluation_summary(evaluation)}


def cmd_model_export(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    import yaml

    from scrubdesk.core.project import Project
    from scrubdesk.models.triage.model_export import export_model

    overlay = None
    if args.config is not None:
        try:
            overlay = yaml.safe_load(args.config.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(
                f"cannot read recogniser configuration {args.config}: {type(exc).__name__}"
            ) from None
    exported = export_model(Project.open(args.dir), args.output, args.model_id, overlay)
    out.info(f"model {exported.model_id} exported to {exported.path} (sha256 {exported.sha256[:16]}...)")
    return {"ok": True, **exported.as_dict()}


def cmd_classify(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.models.triage.classify import classify_file

    sink = _open_out(args.output)
    try:
        summary = classify_file(
            args.model,
            args.input,
            sink,
            routing=args.routing,
            threshold=args.threshold,
            control=out.job_control(),
        )
    finally:
        if sink is not sys.stdout:
            sink.close()
    return {"ok": summary.errors == 0, **summary.as_dict()}
