"""Scale out with Dask: tag a large JSONL or Parquet set on a cluster.

    # a local cluster (2 worker processes) on a demo set made from the corpus
    python examples/python/dask_scaleout.py --rows 200000 --workers 2

    # your files, on a running cluster (paths must be readable by every worker:
    # a shared file system, or s3://... / gs://... with the fsspec plugin installed)
    python examples/python/dask_scaleout.py --scheduler tcp://10.0.0.5:8786 \\
        --input 'notes/*.jsonl' --output tagged/ --model mine.ntag

How it works:

1. The client plans blocks: JSONL files are cut into byte ranges of ``--blocksize``
   (a block owns the lines that start inside it), Parquet files into row groups.
2. The model ships to every worker once, by pickling: ``client.scatter(clf,
   broadcast=True)``. A ``notetag.Classifier`` pickles as its versioned model bytes.
3. One task per block: read it, tag its notes in one batch (the core releases the
   GIL), write ``part-NNNNN.parquet`` (or ``.jsonl``) to ``--output``, and return
   timings. Output files follow input order; every input record gets one output row:
   ``source``, ``position`` (byte offset of the JSONL line, or row number in the
   Parquet file), ``id`` (when the input has one), ``primary``, ``labels``, ``score``
   (probability of the primary topic) and ``error`` (why a record could not be
   tagged, e.g. a line that is not JSON; then the tag columns are empty).
4. The client reports notes/second per worker (tagging only, and read+tag+write)
   and overall (wall clock from first task to last).

notetag parallelises a batch with its own thread pool (rayon). With several Dask
worker processes on one machine, give each pool one thread per Dask thread, or the
pools fight for the cores: this script starts its ``LocalCluster`` with
``RAYON_NUM_THREADS`` set; on a real cluster set it in the workers' environment
(e.g. ``distributed.nanny.pre-spawn-environ: {RAYON_NUM_THREADS: 1}`` in the Dask
config, or the environment of ``dask worker``), or set the classifier's ``n_jobs``
before scattering it (it travels with the pickled classifier).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import fsspec
from dask.distributed import Client, LocalCluster, get_worker, wait

import notetag

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
JSONL_SUFFIXES = (".jsonl", ".ndjson")

# A block of work: ("jsonl", path, start, end) or ("parquet", path, row_group, first_row).
Block = Tuple[str, str, int, int]


# ------------------------------------------------------------------ planning


def parse_size(text: str) -> int:
    """'16MB' -> 16_000_000; '64KiB' -> 65_536; '1000' -> 1000."""
    units = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
    t = text.strip().lower()
    number = t.rstrip("kmgib")
    try:
        size = int(float(number) * units[t[len(number) :]])
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 16MB, 64KiB)") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"size must be positive: {text!r}")
    return size


def plan_blocks(inputs: List[str], blocksize: int, text_field: str) -> Tuple[Any, List[Block]]:
    """The file system and the blocks of every input file, in input order."""
    fs, _, paths = fsspec.core.get_fs_token_paths(inputs)
    files: List[str] = []
    for p in paths:
        files.extend(sorted(fs.find(p)) if fs.isdir(p) else [p])
    files = [f for f in files if f.lower().endswith(JSONL_SUFFIXES + (".parquet",))]
    if not files:
        raise SystemExit(f"no .jsonl or .parquet files in {inputs}")
    blocks: List[Block] = []
    for f in files:
        if f.lower().endswith(".parquet"):
            import pyarrow.parquet as pq

            with fs.open(f, "rb") as fh:
                meta = pq.ParquetFile(fh)
                schema = meta.schema_arrow
                if text_field not in schema.names:
                    raise SystemExit(f"{f}: no column {text_field!r} (columns: {', '.join(schema.names)})")
                first = 0
                for g in range(meta.num_row_groups):
                    blocks.append(("parquet", f, g, first))
                    first += meta.metadata.row_group(g).num_rows
        else:
            size = fs.size(f)
            blocks.extend(("jsonl", f, s, min(s + blocksize, size)) for s in range(0, size, blocksize))
    return fs, blocks


def make_demo(directory: Path, rows: int, fmt: str, files: int = 4) -> List[str]:
    """A demo set of `rows` notes cycled from the corpus (ids n0, n1, ...), in `files`
    files of `fmt`; returns their paths."""
    texts: List[str] = []
    for split in ("train", "dev", "test"):
        with open(CORPUS / f"{split}.jsonl", encoding="utf-8") as f:
            texts.extend(json.loads(line)["text"] for line in f)
    directory.mkdir(parents=True, exist_ok=True)
    per_file = -(-rows // files)
    paths = []
    for k in range(files):
        ids = range(k * per_file, min(rows, (k + 1) * per_file))
        if not ids:
            break
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            path = directory / f"notes-{k}.parquet"
            table = pa.table({"id": [f"n{i}" for i in ids], "text": [texts[i % len(texts)] for i in ids]})
            pq.write_table(table, path, row_group_size=max(1_000, len(ids) // 4))  # a few blocks per file
        else:
            path = directory / f"notes-{k}.jsonl"
            with open(path, "w", encoding="utf-8") as f:
                for i in ids:
                    f.write(json.dumps({"id": f"n{i}", "text": texts[i % len(texts)]}, ensure_ascii=False) + "\n")
        paths.append(str(path))
    return paths


# ------------------------------------------------------------- on the worker


def jsonl_lines(fs: Any, path: str, start: int, end: int) -> Iterator[Tuple[int, bytes]]:
    """(byte offset, line) of each line that starts in [start, end)."""
    with fs.open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            f.readline()  # the rest of the line that began before `start` (just b"\n" if it ended there)
        while True:
            pos = f.tell()
            if pos >= end:
                return
            line = f.readline()
            if not line:
                return
            yield pos, line


def read_block(fs: Any, block: Block, text_field: str, id_field: str) -> List[Dict[str, Any]]:
    """The records of a block: dicts with source, position, id, text (None when the
    record cannot be tagged) and error."""
    kind, path, a, b = block
    records: List[Dict[str, Any]] = []
    if kind == "parquet":
        import pyarrow.parquet as pq

        with fs.open(path, "rb") as fh:
            pf = pq.ParquetFile(fh)
            columns = [text_field] + ([id_field] if id_field in pf.schema_arrow.names else [])
            table = pf.read_row_group(a, columns=columns).to_pydict()
        ids = table.get(id_field, [None] * len(table[text_field]))
        for i, (text, rid) in enumerate(zip(table[text_field], ids)):
            error = None if isinstance(text, str) else f"{text_field} is {type(text).__name__}, not a string"
            records.append(dict(source=path, position=b + i, id=_id(rid), text=text if error is None else None, error=error))
        return records
    for pos, line in jsonl_lines(fs, path, a, b):
        if not line.strip():
            continue  # blank lines are not records
        text, rid, error = None, None, None
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            error = f"{path}: byte {pos}: not a JSON line ({e})"
        else:
            if not isinstance(record, dict):
                error = f"{path}: byte {pos}: a JSON {type(record).__name__}, not an object"
            elif not isinstance(record.get(text_field), str):
                found = "missing" if text_field not in record else type(record[text_field]).__name__
                error = f"{path}: byte {pos}: field {text_field!r} is {found}, not a string"
            else:
                text, rid = record[text_field], record.get(id_field)
        records.append(dict(source=path, position=pos, id=_id(rid), text=text, error=error))
    return records


def _id(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def write_part(fs: Any, path: str, rows: List[Dict[str, Any]], fmt: str) -> None:
    """Write one output file atomically (a temporary name, then a rename)."""
    tmp = path + ".tmp"
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema(
            [
                ("source", pa.string()),
                ("position", pa.int64()),
                ("id", pa.string()),
                ("primary", pa.string()),
                ("labels", pa.list_(pa.string())),
                ("score", pa.float32()),
                ("error", pa.string()),
            ]
        )
        table = pa.Table.from_pylist(rows, schema=schema)
        with fs.open(tmp, "wb") as f:
            pq.write_table(table, f)
    else:
        with fs.open(tmp, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    fs.mv(tmp, path)


def tag_block(
    index: int,
    block: Block,
    clf: notetag.Classifier,
    fs_in: Any,
    fs_out: Any,
    output: str,
    fmt: str,
    text_field: str,
    id_field: str,
) -> Dict[str, Any]:
    """Read, tag and write one block; return what it did and how long each step took."""
    t0 = time.perf_counter()
    records = read_block(fs_in, block, text_field, id_field)
    t1 = time.perf_counter()
    ok = [r for r in records if r["error"] is None]
    tags = clf.tag([r["text"] for r in ok])
    t2 = time.perf_counter()
    for r, t in zip(ok, tags):
        r.update(primary=t["primary"], labels=t["labels"], score=t["scores"][t["primary"]])
    rows = []
    for r in records:
        r.pop("text")
        rows.append({"primary": None, "labels": None, "score": None, **r})
    write_part(fs_out, f"{output.rstrip('/')}/part-{index:05d}.{fmt}", rows, fmt)
    t3 = time.perf_counter()
    return {
        "block": index,
        "worker": get_worker().address,
        "rows": len(records),
        "errors": len(records) - len(ok),
        "read_s": t1 - t0,
        "tag_s": t2 - t1,
        "write_s": t3 - t2,
    }


# ------------------------------------------------------------------ reporting


def report(stats: List[Dict[str, Any]], wall: float, n_workers: int) -> Dict[str, Any]:
    per_worker: Dict[str, Dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for s in stats:
        w = per_worker[s["worker"]]
        w["tasks"] += 1
        for k in ("rows", "errors", "read_s", "tag_s", "write_s"):
            w[k] += s[k]
    print(f"\n{'worker':<28} {'tasks':>5} {'notes':>10} {'errors':>6} {'tag s':>7} {'notes/s tag':>12} {'notes/s all':>12}")
    workers = {}
    for name in sorted(per_worker):
        w = per_worker[name]
        busy = w["read_s"] + w["tag_s"] + w["write_s"]
        tag_rate = w["rows"] / w["tag_s"] if w["tag_s"] > 0 else 0.0
        all_rate = w["rows"] / busy if busy > 0 else 0.0
        print(
            f"{name:<28} {int(w['tasks']):>5} {int(w['rows']):>10,} {int(w['errors']):>6} "
            f"{w['tag_s']:>7.2f} {tag_rate:>12,.0f} {all_rate:>12,.0f}"
        )
        workers[name] = {
            "tasks": int(w["tasks"]),
            "rows": int(w["rows"]),
            "errors": int(w["errors"]),
            "tag_seconds": w["tag_s"],
            "busy_seconds": busy,
            "notes_per_second_tagging": tag_rate,
            "notes_per_second_busy": all_rate,
        }
    rows = sum(s["rows"] for s in stats)
    errors = sum(s["errors"] for s in stats)
    print(
        f"overall: {rows:,} notes ({errors} errors) in {wall:.2f} s wall = {rows / wall:,.0f} notes/s "
        f"on {n_workers} workers ({len(per_worker)} did work)"
    )
    return {"rows": rows, "errors": errors, "wall_seconds": wall, "notes_per_second": rows / wall, "workers": workers}


# ----------------------------------------------------------------------- main


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--input", nargs="+", help="JSONL/Parquet files, folders or globs (default: a demo set)")
    parser.add_argument("--output", help="output folder (default with the demo set: a temporary folder)")
    parser.add_argument("--output-format", choices=["parquet", "jsonl"], default="parquet")
    parser.add_argument("--text-field", default="text", help="field/column with the note (default: text)")
    parser.add_argument("--id-field", default="id", help="field/column carried to the output when present (default: id)")
    parser.add_argument("--model", help="a model file (default: the embedded default model)")
    parser.add_argument("--blocksize", type=parse_size, default=parse_size("8MB"), help="JSONL bytes per task (default 8MB)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--threads-per-worker", type=int, default=1, help="LocalCluster threads per worker (default 1)")
    parser.add_argument("--rows", type=int, default=200_000, help="size of the demo set (default 200000)")
    parser.add_argument("--demo-format", choices=["parquet", "jsonl"], default="parquet")
    parser.add_argument("--stats-json", help="also write the throughput report as JSON to this file")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.threads_per_worker < 1:
        parser.error("--workers and --threads-per-worker must be >= 1")

    scratch = None
    if args.input:
        if not args.output:
            parser.error("--output is required with --input")
        inputs = args.input
    else:
        scratch = Path(tempfile.mkdtemp(prefix="notetag-dask-"))
        inputs = make_demo(scratch / "input", args.rows, args.demo_format)
        print(f"demo set: {args.rows:,} notes in {len(inputs)} {args.demo_format} files under {scratch / 'input'}")
    output = args.output if args.output else str(Path(str(scratch)) / "output")

    try:
        fs, blocks = plan_blocks(inputs, args.blocksize, args.text_field)
        out_fs, out_path = fsspec.core.url_to_fs(output)
        out_fs.makedirs(out_path, exist_ok=True)
        stale = [p for p in out_fs.ls(out_path, detail=False) if Path(p).name.startswith("part-")]
        if stale:
            raise SystemExit(f"{output} already holds {len(stale)} part-* files: choose an empty folder")
        print(f"{len(blocks)} blocks from {len({b[1] for b in blocks})} files")

        clf = notetag.Classifier.load(args.model) if args.model else notetag.Classifier.default()
        if args.scheduler:
            client = Client(args.scheduler)
            cluster = None
        else:
            # One rayon thread per Dask thread, so that worker processes do not oversubscribe the cores.
            cluster = LocalCluster(
                n_workers=args.workers,
                threads_per_worker=args.threads_per_worker,
                processes=True,
                dashboard_address=None,
                env={"RAYON_NUM_THREADS": str(args.threads_per_worker)},
            )
            client = Client(cluster)
        try:
            n_workers = len(client.scheduler_info()["workers"])
            rayon = client.run(lambda: os.environ.get("RAYON_NUM_THREADS", "all cores"))
            print(f"cluster: {n_workers} workers at {client.scheduler.address}; notetag threads per worker: "
                  f"{sorted(set(rayon.values()))}")

            # Ship the model once to every worker (pickled: the versioned model bytes).
            t = time.perf_counter()
            model = client.scatter(clf, broadcast=True)
            wait(model)
            print(f"model: {len(pickle.dumps(clf)) / 1e6:.2f} MB pickled, on every worker in {time.perf_counter() - t:.2f} s")

            start = time.perf_counter()
            futures = [
                client.submit(
                    tag_block, i, b, model, fs, out_fs, out_path, args.output_format, args.text_field, args.id_field,
                    pure=False,
                )
                for i, b in enumerate(blocks)
            ]
            stats = client.gather(futures)
            wall = time.perf_counter() - start
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

        summary = report(stats, wall, n_workers)
        summary.update(output=output, blocks=len(blocks), output_format=args.output_format)
        print(f"wrote {len(blocks)} part files to {output}")
        if args.stats_json:
            with open(args.stats_json, "w", encoding="utf-8") as f:
                json.dump(summary, f, indent=2)
    finally:
        if scratch is not None and not args.output:
            shutil.rmtree(scratch, ignore_errors=True)
        elif scratch is not None:
            shutil.rmtree(scratch / "input", ignore_errors=True)


if __name__ == "__main__":
    main()
