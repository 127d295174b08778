"""The model cache shared by scripts/export-models.py and scripts/export-zoo.py.

Exports live in $FOVEA_CACHE_DIR (default ~/.cache/fovea)/<subdir>/<hash>, the hash being that of
the export script and of this module (tests/util/exported-models.ts computes the same): a changed
script or cache rule exports anew, and older exports of the same script are removed.
(A Python module: imported by name, hence the underscore.)
"""
import hashlib
import json
import os
import shutil
import time


def script_hash(script_file: str) -> str:
    h = hashlib.sha256()
    for path in (script_file, __file__):
        with open(os.path.abspath(path), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def default_out_dir(subdir: str, script_file: str) -> str:
    base = os.environ.get("FOVEA_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "fovea")
    return os.path.join(base, subdir, script_hash(script_file))


def write_exports(script_file: str, out_dir: str, force: bool, export_all, versions: dict) -> int:
    """Runs export_all(tmp_dir) -> manifest entries into a temporary sibling of out_dir and renames
    it when complete: an interrupted run never leaves a manifest next to missing models, and
    concurrent runs do not mix their files. Returns the number of models."""
    tag = os.path.splitext(os.path.basename(script_file))[0]
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = f"{out_dir}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    t0 = time.time()
    try:
        entries = export_all(tmp)
        with open(os.path.join(tmp, "manifest.json"), "w") as f:
            json.dump({"script": os.path.basename(script_file), "hash": script_hash(script_file), **versions, "models": entries}, f, indent=1)
        if force:
            shutil.rmtree(out_dir, ignore_errors=True)
        try:
            os.rename(tmp, out_dir)
        except OSError:
            # Another run finished first (same hash, so the same models): keep its files.
            if not os.path.exists(os.path.join(out_dir, "manifest.json")):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"[{tag}] {len(entries)} models in {out_dir} ({time.time() - t0:.0f} s)")
    return len(entries)


def remove_stale_exports(script_file: str, current: str) -> None:
    """Exports of older versions of the script are never read again (the dir name is the hash) and
    weigh hundreds of MB each: remove them, recognising them by their manifest."""
    tag = os.path.splitext(os.path.basename(script_file))[0]
    parent = os.path.dirname(current)
    for entry in os.listdir(parent):
        path = os.path.join(parent, entry)
        if path == current or ".tmp-" in entry or not os.path.isdir(path):
            continue
        try:
            with open(os.path.join(path, "manifest.json")) as f:
                ours = json.load(f).get("script") == os.path.basename(script_file)
        except (OSError, ValueError):
            continue
        if ours:
            shutil.rmtree(path, ignore_errors=True)
            print(f"[{tag}] removed the stale export {path}")
