"""The erasure scan reads parquet cells, so a value hidden by page compression is still found."""

from __future__ import annotations

from pathlib import Path

import fastparquet
import pandas as pd

from scrubdesk.core.parquet_io import read_parquet, write_parquet
from scrubdesk.core.trace_scan import Needles, scan_file

VALUE = "jane.canary@example.invalid"


def test_a_value_in_a_compressed_parquet_column_is_found_though_its_bytes_are_not(tmp_path: Path) -> None:
    path = tmp_path / "hidden.parquet"
    frame = pd.DataFrame({"msg_key": [f"k{i}" for i in range(50)], "label": [VALUE] * 50})
    fastparquet.write(str(path), frame, write_index=False, compression="GZIP")
    assert VALUE.encode() not in path.read_bytes()  # the raw-byte scan alone would miss it

    result = scan_file(path, Needles([VALUE]))

    assert not result.unreadable
    assert result.hits >= 50


def test_our_parquet_round_trips_string_ids_and_missing_labels(tmp_path: Path) -> None:
    path = tmp_path / "ids.parquet"
    frame = pd.DataFrame({"msg_key": ["0001", "0002", "0003"], "label": ["a", None, "c"]})

    write_parquet(frame, path)
    back = read_parquet(path)

    assert list(back.columns) == ["msg_key", "label"]
    assert back["msg_key"].tolist() == ["0001", "0002", "0003"]
    assert back["label"].isna().tolist() == [False, True, False]


def test_a_truncated_parquet_file_is_reported_unreadable_not_clean(tmp_path: Path) -> None:
    path = tmp_path / "cut.parquet"
    write_parquet(pd.DataFrame({"msg_key": ["a"], "label": ["b"]}), path)
    path.write_bytes(path.read_bytes()[:-20])

    assert scan_file(path, Needles([VALUE])).unreadable
