"""The scanner extensions load from the project's own files, never from a shared temp path."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import duckdb

from antismuggling import duckdb_extensions


def _packaged(name: str) -> Path:
    module = __import__(f"duckdb_extension_{name}")
    return Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"


def test_a_library_planted_in_the_shared_temp_folder_is_not_loaded(tmp_path):
    # The path an earlier version linked through, which any local account could create first.
    shared = Path(tempfile.gettempdir()) / f"antismuggling-duckdb-ext-v{duckdb.__version__}"
    shared.mkdir(exist_ok=True)
    planted = shared / "sqlite_scanner.duckdb_extension"
    decoy = tmp_path / "decoy.duckdb_extension"
    decoy.write_bytes(b"not a real extension")
    planted.unlink(missing_ok=True)
    planted.symlink_to(decoy)
    try:
        duckdb_extensions._extension_file.cache_clear()
        link = duckdb_extensions._extension_file("sqlite")
        assert link.resolve() == _packaged("sqlite").resolve()
        folder = link.parent
        assert folder != shared
        if folder != _packaged("sqlite").parent:  # a private folder: ours alone
            mode = folder.stat()
            assert mode.st_uid == os.getuid() and not stat.S_IMODE(mode.st_mode) & 0o077
        con = duckdb.connect()
        duckdb_extensions.load_extension(con, "sqlite")
        assert con.execute("select count(*) from duckdb_extensions() where loaded and extension_name = 'sqlite_scanner'").fetchone()[0] == 1
    finally:
        planted.unlink(missing_ok=True)
        duckdb_extensions._extension_file.cache_clear()
