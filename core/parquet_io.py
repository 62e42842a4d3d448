"""Parquet files through fastparquet's own API.

fastparquet rather than pyarrow: it is ~4 MB against pyarrow's ~120 MB in the installer, and an export of
IDs and labels needs nothing more. Called directly rather than through pandas' ``engine="fastparquet"``,
which pandas 3 deprecates.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import pandas as pd


def _fastparquet() -> ModuleType:
    with warnings.catch_warnings():
        # fastparquet reads a pandas option that pandas 3 deprecates, at import: not ours to act on.
        warnings.simplefilter("ignore", DeprecationWarning)
        import fastparquet  # noqa: PLC0415 - lazy: heavy

    return cast(ModuleType, fastparquet)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (no index) as one parquet file."""
    _fastparquet().write(str(path), frame, write_index=False, compression="SNAPPY")


def read_parquet(path: Path) -> pd.DataFrame:
    """The whole file as a frame. Raises ValueError when ``path`` is not a readable parquet file."""
    fastparquet = _fastparquet()
    try:
        frame: pd.DataFrame = fastparquet.ParquetFile(str(path)).to_pandas()
        return frame
    except Exception as exc:  # fastparquet raises many types (thrift, struct, index) for a bad file
        raise ValueError("not a readable parquet file") from exc
