"""Result files: one JSON file per article in the results folder, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from newsflow.record import check_id

#: Largest result file read back (`show` past retention, `export`): a record holds at most its
#: input's text, and inputs are at most NEWSFLOW_MAX_BYTES.
RESULT_FILE_MAX = 256 * 1024 * 1024


def write_result_file(results_dir: Path, record: dict[str, Any]) -> Path:
    """Write `<results_dir>/<id>.json` atomically: readers see the old file or the whole new one."""
    article_id = check_id(record["id"])  # the name comes from the id, never from the input's name
    results_dir.mkdir(parents=True, exist_ok=True)
    target = results_dir / f"{article_id}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{article_id}.", suffix=".tmp", dir=results_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
