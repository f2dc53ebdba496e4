"""The nnanim trace file: a small JSON header, then compressed binary columns. Never pickle.

    bytes 0-7   b"NNTRACE\\n"
    bytes 8-11  header length H, uint32 little-endian
    next H      header, UTF-8 JSON (format, version, nnanim version, meta, graphs, block table)
    the rest    blocks, each described in the header by offset, length, dtype, shape and codec

docs/trace-format.md is the full description. Teachers share traces, so a file is untrusted: the reader
checks the signature before reading on, every header field against one schema (below), and the block
table against the header's counts, before it decompresses anything; whatever it refuses, it refuses
with one TraceError line. The writer checks the same limits, so that it never saves a file it would refuse.
"""

import hashlib
import json
import math
import os
import reprlib
import stat
import struct
import zlib

import numpy as np

from nnanim.engine.atomic import atomic_path
from nnanim.engine.losses import LOSSES
from nnanim.engine.nn import ACTIVATIONS
from nnanim.engine.packing import TABLES, Packed, decode, pack
from nnanim.engine.steps import (LEVELS, MAX_TEXT, Graph, ParameterTable, RecordedEvents, StepColumns, TraceError,
                                 check_labels)

MAGIC = b"NNTRACE\n"
VERSION = 2  # 2: optional recorded backward events (a class's own Value); 1 still reads
MAX_HEADER = 16 << 20  # bytes of header JSON
MAX_DECODED = 1 << 30  # bytes that all the blocks of a trace decode to, together
MAX_FILE = 12 + MAX_HEADER + 2 * MAX_DECODED  # bytes of a whole file (zlib may grow what it cannot shrink)
MAX_COUNT = 2**31 - 1  # nodes, edges, steps, parameters (int32 indices)
MAX_DEPTH = 16  # nesting of a value in meta
MAX_LAYERS, MAX_WIDTH = 100, 100_000  # meta.architecture
ZLIB_MAX_RATIO = 1100  # zlib cannot expand more than ~1032x; anything claiming more is lying
JSON_PER_STRING = 12 * MAX_TEXT + 4  # the most bytes one string of a json block takes, "\ud83d\ude00", ...
DTYPES = {"<f8": np.float64, "<i4": np.int32, "<i8": np.int64, "json": None}
CODECS = ("zlib", "xor-shuffle-zlib")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}  # how the header writes them

_brief = reprlib.Repr()
_brief.maxstring = _brief.maxother = _brief.maxlong = 40
_brief.maxlist = _brief.maxdict = 4
_brief.maxlevel = 2


def nnanim_version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("nnanim")
    except PackageNotFoundError:
        return "0+unknown"


# ----- writing
class _BlockWriter:
    def __init__(self):
        self.parts, self.offset, self.decoded = [], 0, 0

    def add(self, array=None, codec="zlib", text=None):
        if text is not None:
            raw = json.dumps(text).encode()
            return self.add_packed(Packed(zlib.compress(raw, 6), "json", (len(text),), "zlib"), len(raw))
        return self.add_packed(pack(np.asarray(array), codec))

    def add_packed(self, packed, decoded=None):
        """A block already packed (a recorder packs its chunks as the run goes): copied as it is."""
        self.decoded += packed.decoded_size if decoded is None else decoded
        if self.decoded > MAX_DECODED:
            raise TraceError(f"this run is too large to save: a trace holds at most {MAX_DECODED >> 20} MiB "
                             "of numbers (record fewer steps, or with level \"params\")")
        dtype = packed.dtype if packed.dtype == "json" else np.dtype(packed.dtype).str
        ref = {"offset": self.offset, "length": len(packed.payload), "dtype": dtype, "shape": list(packed.shape),
               "codec": packed.codec}
        self.parts.append(packed.payload)
        self.offset += len(packed.payload)
        return ref

    def add_table(self, chunks):
        """A table in chunks of steps: one block if it is one chunk (as version 1 wrote it), else a list."""
        refs = [self.add_packed(c) for c in chunks]
        return refs[0] if len(refs) == 1 else refs


def write_trace(trace, path):
    """Save atomically: the file appears whole or not at all. A trace this nnanim would refuse to read
    back (a label or meta it cannot hold, a run over the limits) is refused here, with one line."""
    meta = portable(storable_meta(trace.meta))
    blocks = _BlockWriter()
    graphs = []
    for g, graph in enumerate(trace.graphs):
        graph.validate()
        tables = trace.store.packed_tables(g)
        graphs.append({
            "nodes": len(graph), "edges": int(len(graph.edges)), "steps": int((trace.step_graph == g).sum()),
            "ops": blocks.add(text=graph.ops), "labels": blocks.add(text=graph.labels),
            "arity": blocks.add(graph.arity.astype("<i4")), "inputs": blocks.add(graph.edges.astype("<i4")),
            **{name: blocks.add_table(tables[name]) for name in TABLES},
        })
    uids = sorted(trace.final)
    header = {
        "format": "nnanim-trace", "version": VERSION, "nnanim": nnanim_version(),
        "meta": meta, "steps": trace.num_steps, "level": trace.level,
        "step_graph": blocks.add(trace.step_graph.astype("<i4")),
        "graphs": graphs,
        "final": {"uid": blocks.add(np.array(uids, dtype="<i8")),
                  "data": blocks.add(np.array([trace.final[u][0] for u in uids], dtype="<f8")),
                  "grad": blocks.add(np.array([trace.final[u][1] for u in uids], dtype="<f8"))},
    }
    events = getattr(trace.store, "events", None)
    if events is not None:
        header["events"] = {"total": int(len(events.node)), "amounts": int(len(events.amount)),
                            "count": blocks.add(events.count.astype("<i8")),
                            "node": blocks.add(events.node.astype("<i4")),
                            "grad": blocks.add(events.grad.astype("<f8")),
                            "amount": blocks.add(events.amount.astype("<f8"))}
    if trace.level == "all":
        bad = trace.first_bad_step()
        header["losses"] = blocks.add(trace.losses.astype("<f8"))
        header["summary"] = {"parameters": len(trace.parameters), "first_bad_step": -1 if bad is None else bad}
    if trace.level == "params":
        table = trace.store
        check_labels(table.labels)
        header["parameters"] = {
            "labels": blocks.add(text=table.labels),
            "values": blocks.add(table.values.astype("<f8"), codec="xor-shuffle-zlib"),
            "grads": blocks.add(table.grads.astype("<f8"), codec="xor-shuffle-zlib"),
            "grad_before": blocks.add(table.grad_before.astype("<f8"), codec="xor-shuffle-zlib"),
            "losses": blocks.add(table.losses.astype("<f8")),
        }
    head = json.dumps(header, allow_nan=False).encode()
    if len(head) > MAX_HEADER:
        raise TraceError(f"this run's header is too large to save ({len(head) >> 20} MiB; a trace's header "
                         f"holds at most {MAX_HEADER >> 20} MiB): its meta holds too much data")
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(MAGIC + struct.pack("<I", len(head)) + head)
        for part in blocks.parts:
            f.write(part)


def storable_meta(meta):
    """`meta` as a saved trace gives it back (tuples as lists, ...), checked as a reader checks it: a
    run's meta that cannot be saved or read is refused when recording starts, not after the run."""
    try:
        text = json.dumps(portable(meta), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as e:
        raise TraceError(f"meta cannot be stored in a trace: {e}") from None
    try:
        return _meta(json.loads(text), "meta")
    except TraceError as e:
        raise TraceError(f"meta cannot be stored in a trace: {e}") from None


def portable(value):
    """JSON that any language reads: NaN and infinities as the strings "NaN", "Infinity", "-Infinity"
    (JSON has no such numbers; JavaScript's JSON.parse refuses Python's bare NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: portable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [portable(v) for v in value]
    return value


# ----- reading
def digest(path):
    """The SHA-256 of a trace file, read as a trace is read: a regular file (never a FIFO or a device) of at
    most MAX_FILE bytes; TraceError otherwise."""
    try:
        with _open_file(path) as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE:
                raise TraceError(f"{path}: {size / 1e9:.1f} GB is more than a trace holds ({MAX_FILE / 1e9:.1f} GB)")
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as e:
        raise TraceError(f"cannot read {path}: {e.strerror or e}") from None


def read_trace(path):
    """A trace file's parts, every field checked: (meta, store, the nnanim version that wrote it)."""
    try:
        with _open_file(path) as f:
            return _read(f, os.fstat(f.fileno()).st_size, path)
    except TraceError as e:
        raise TraceError(f"{path}: {e}") from None
    except OSError as e:
        raise TraceError(f"cannot read {path}: {e.strerror or e}") from None
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError, zlib.error) as e:
        # every field is checked first; this only keeps a check this reader lacks to one line
        raise TraceError(f"{path}: corrupt trace ({type(e).__name__}: {_brief.repr(str(e))})") from None


def _open_file(path):
    """The file, opened without waiting for a FIFO's writer; anything but a regular file (a FIFO, a device
    such as /dev/zero, a directory) is refused: only a regular file has a known size and an end."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket or other special file")
            raise TraceError(f"not a trace: {kind}, not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class _TableLoader:
    """A graph's tables, decoded when first asked for: the file is opened again, and must be the one read."""

    def __init__(self, path, identity, tables):
        self.path, self.identity, self.tables = path, identity, tables

    def __call__(self, g):
        try:
            with _open_file(self.path) as f:
                body = _Body(f, self.identity[0], 0)
                if _identity(f) != self.identity[1]:
                    raise TraceError(f"{self.path} changed since it was read: load it again")
                out = {name: np.concatenate([body.array(ref) for ref in refs]) for name, refs in self.tables[g].items()}
        except TraceError as e:
            message = str(e)
            raise TraceError(message if message.startswith(str(self.path)) else f"{self.path}: {message}") from None
        except OSError as e:
            raise TraceError(f"cannot read {self.path}: {e.strerror or e}") from None
        except (ValueError, KeyError, TypeError, IndexError, OverflowError, MemoryError, zlib.error) as e:
            raise TraceError(f"{self.path}: corrupt trace ({type(e).__name__}: {_brief.repr(str(e))})") from None
        return out


def _identity(f):
    st = os.fstat(f.fileno())
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev  # ctime: utime() cannot set it


def _read(f, size, path):
    start = f.read(12)
    if not start.startswith(MAGIC[:len(start)]) or not start:
        raise TraceError("not an nnanim trace (it does not start with the NNTRACE signature)")
    if len(start) < 12:
        raise TraceError("truncated trace: it ends before its header")
    (head_size,) = struct.unpack_from("<I", start, 8)
    if head_size > MAX_HEADER or 12 + head_size > size:
        raise TraceError(f"truncated or corrupt trace: header claims {head_size} bytes, file has {size - 12} "
                         f"(a header holds at most {MAX_HEADER >> 20} MiB)")
    head = f.read(head_size)
    try:
        header = json.loads(head)
    except ValueError:  # not JSON, or not UTF-8
        raise TraceError("corrupt trace: the header is not valid JSON") from None
    except RecursionError:
        raise TraceError("corrupt trace: the header nests deeper than a JSON reader can follow") from None
    _check_version(header)
    try:
        header = _header(header, "")
        refs = _expected_shapes(header)
        numbers = _check_layout(refs, size - 12 - head_size)
    except TraceError as e:
        raise TraceError(f"corrupt trace: {e}") from None
    body = _Body(f, 12 + head_size, MAX_DECODED - numbers)
    return _decode(header, body, path)


def _check_version(header):
    if not isinstance(header, dict) or header.get("format") != "nnanim-trace":
        raise TraceError("not an nnanim trace (the header does not say format nnanim-trace)")
    version = header.get("version")
    if type(version) is not int or version < 1:
        raise TraceError(f"unknown trace format version {_brief.repr(version)}")
    if version > VERSION:
        raise TraceError(f"trace format version {_brief.repr(version)} is newer than this nnanim reads "
                         f"(up to {VERSION}); upgrade nnanim (written by nnanim "
                         f"{_brief.repr(header.get('nnanim', '?'))})")


# ----- the header's schema: every field's type and range, checked once, on load
class _Ref:
    """A block of the body: where it is, what it decodes to. `name` says where the header describes it."""

    def __init__(self, name, offset, length, dtype, shape, codec):
        self.name, self.offset, self.length = name, offset, length
        self.dtype, self.shape, self.codec = dtype, shape, codec

    @property
    def decoded_size(self):
        """Bytes a numeric block decodes to (known from its shape and dtype before decompressing)."""
        return math.prod(self.shape) * np.dtype(DTYPES[self.dtype]).itemsize


def _at(where, key):
    """Where a field is, for a message: `graphs[0].data`; a key from the file is quoted unless plain."""
    key = key if key.isidentifier() and key.isascii() else _brief.repr(key)
    return f"{where}.{key}" if where else key


def _count(value, where, low=0, high=MAX_COUNT):
    if type(value) is not int or not low <= value <= high:
        raise TraceError(f"{where} is {_brief.repr(value)}, not a whole number from {low} to {high}")
    return value


def _positive(value, where):
    return _count(value, where, low=1)


def _position(value, where):
    return _count(value, where, high=2**62)


def _integer(value, where):
    return _count(value, where, low=-2**63, high=2**63)


def _number(value, where):
    """A number, or "NaN", "Infinity", "-Infinity" (how a header writes them; old files' bare NaN too)."""
    if type(value) is float or type(value) is int and abs(value) <= 2**63:
        return value
    if type(value) is str and value in NON_FINITE:
        return NON_FINITE[value]
    raise TraceError(f"{where} is {_brief.repr(value)}, not a number")


def _text(value, where):
    if type(value) is not str or len(value) > MAX_TEXT:
        raise TraceError(f"{where} is {_brief.repr(value)}, not a string of at most {MAX_TEXT} characters")
    return value


def _texts(value, where):
    if type(value) is not list:
        raise TraceError(f"{where} is not a list of strings")
    return [_text(t, f"{where}[{k}]") for k, t in enumerate(value)]


def _rows(value, where):
    if type(value) is not list or any(type(row) is not list for row in value):
        raise TraceError(f"{where} is not a list of lists of numbers")
    return [[_number(x, f"{where}[{k}]") for x in row] for k, row in enumerate(value)]


def _one_of(*choices):
    def check(value, where):
        if type(value) is not str or value not in choices:
            raise TraceError(f"{where} is {_brief.repr(value)}, not one of {', '.join(choices)}")
        return value
    return check


def _list(item):
    def check(value, where):
        if type(value) is not list:
            raise TraceError(f"{where} is not a list")
        return [item(v, f"{where}[{k}]") for k, v in enumerate(value)]
    return check


def _object(fields, required=None):
    """An object whose `fields` are checked (all required unless `required` says which); others ignored."""
    required = fields if required is None else required

    def check(value, where):
        if type(value) is not dict:
            raise TraceError(f"{where or 'the header'} is not an object")
        for key in required:
            if key not in value:
                raise TraceError(f"{_at(where, key)} is missing")
        return {key: fields[key](value[key], _at(where, key)) for key in fields if key in value}
    return check


def _architecture(value, where):
    if type(value) is not list or not 2 <= len(value) <= MAX_LAYERS \
            or any(type(w) is not int or not 1 <= w <= MAX_WIDTH for w in value):
        raise TraceError(f"{where} is {_brief.repr(value)}, not a list of 2 to {MAX_LAYERS} widths "
                         f"from 1 to {MAX_WIDTH}")
    return value


def _any(value, where, depth=0):
    """Free JSON (meta keys nnanim does not read): kept as is, strings and nesting bounded."""
    if value is None or type(value) in (bool, int, float):
        return value
    if type(value) is str:
        return _text(value, where)
    if depth >= MAX_DEPTH:
        raise TraceError(f"{where} nests deeper than {MAX_DEPTH} levels")
    if type(value) is list:
        return [_any(v, f"{where}[{k}]", depth + 1) for k, v in enumerate(value)]
    return {_text(k, f"{where} key"): _any(v, _at(where, k), depth + 1) for k, v in value.items()}


META = {  # what the scenes and `inspect` read; docs/trace-format.md, "meta"
    "source": _text, "script": _text, "data": _text,
    "architecture": _architecture, "activation": _one_of(*ACTIVATIONS), "loss": _one_of(*LOSSES),
    "steps": _count, "lr": _number, "seed": _integer,
    "inputs": _rows, "targets": _rows, "input_labels": _texts, "parameters": _texts,
}


def _meta(value, where):
    if type(value) is not dict:
        raise TraceError(f"{where} is not an object")
    meta = {_text(key, f"{where} key"): META.get(key, _any)(v, _at(where, key)) for key, v in value.items()}
    arch = meta.get("architecture")
    inputs, targets = meta.get("inputs"), meta.get("targets")
    if inputs is not None and targets is not None and len(inputs) != len(targets):
        raise TraceError(f"{where}.inputs has {len(inputs)} examples but {where}.targets has {len(targets)}")
    for key, width in (("inputs", arch and arch[0]), ("targets", arch and arch[-1])):
        widths = {len(row) for row in meta.get(key) or ()}
        if len(widths) > 1 or arch and widths - {width}:
            raise TraceError(f"{where}.{key} has rows that are not all "
                             + (f"{width} numbers long (the network's width)" if arch else "of one length"))
    labels = meta.get("input_labels")
    if arch and labels is not None and len(labels) != arch[0]:
        raise TraceError(f"{where}.input_labels has {len(labels)} labels for {arch[0]} inputs")
    if arch and meta.get("parameters") is not None:
        expected = sum((a + 1) * b for a, b in zip(arch[:-1], arch[1:]))
        if len(meta["parameters"]) != expected:
            raise TraceError(f"{where}.parameters has {len(meta['parameters'])} labels; an MLP "
                             f"{','.join(map(str, arch))} has {expected}")
    return meta


def _block(dtype):
    """A reference to a block of the given dtype: where it lies, its shape and codec."""
    def check(value, where):
        ref = _object({"offset": _position, "length": _position, "dtype": _one_of(*DTYPES),
                       "shape": _list(_count), "codec": _one_of(*CODECS)})(value, where)
        if ref["dtype"] != dtype:
            raise TraceError(f"{where}.dtype is {ref['dtype']!r}, not {dtype!r}")
        if not 1 <= len(ref["shape"]) <= 2:
            raise TraceError(f"{where}.shape is not one or two numbers")
        if ref["codec"] == "xor-shuffle-zlib" and (len(ref["shape"]) != 2 or dtype not in ("<f8", "<i8")):
            raise TraceError(f"{where}: xor-shuffle-zlib is only for tables of 8-byte numbers")
        if ref["length"] == 0:
            raise TraceError(f"{where} is empty (length 0)")
        return _Ref(where, **ref)
    return check


def _table(dtype):
    """A steps x nodes table: one block, or (version 2) a list of blocks, each a chunk of steps."""
    one = _block(dtype)

    def check(value, where):
        if type(value) is list:
            if not value:
                raise TraceError(f"{where} is an empty list of blocks")
            return [one(v, f"{where}[{k}]") for k, v in enumerate(value)]
        return [one(value, where)]
    return check


_GRAPH = _object({"nodes": _positive, "edges": _count, "steps": _positive,
                  "ops": _block("json"), "labels": _block("json"), "arity": _block("<i4"), "inputs": _block("<i4"),
                  **{name: _table(dtype) for name, dtype in TABLES.items()}})
_header = _object({
    "nnanim": _text, "meta": _meta, "steps": _count, "level": _one_of(*LEVELS),
    "step_graph": _block("<i4"), "graphs": _list(_GRAPH),
    "final": _object({"uid": _block("<i8"), "data": _block("<f8"), "grad": _block("<f8")}),
    "parameters": _object({"labels": _block("json"), "values": _block("<f8"), "grads": _block("<f8"),
                           "grad_before": _block("<f8"), "losses": _block("<f8")}),
    "events": _object({"total": _count, "amounts": _count, "count": _block("<i8"), "node": _block("<i4"),
                       "grad": _block("<f8"), "amount": _block("<f8")}),
    "losses": _block("<f8"),
    "summary": _object({"parameters": _count, "first_bad_step": lambda v, w: _count(v, w, low=-1)}),
}, required=("steps", "step_graph", "graphs", "final"))


def _expected_shapes(header):
    """Check every block's shape against the header's counts; return every block reference."""
    steps, graphs = header["steps"], header["graphs"]
    level = header.setdefault("level", "all")
    header.setdefault("meta", {})

    def shape(ref, *expected):
        if ref.shape != list(expected):
            raise TraceError(f"{ref.name} has shape {ref.shape}, expected {list(expected)}")
        return ref

    refs = [shape(header["step_graph"], steps if level == "all" else 0)]
    if level == "params":
        if graphs:
            raise TraceError("graphs is not empty, but the level is params")
        if "parameters" not in header:
            raise TraceError("parameters is missing")
        spec = header["parameters"]
        p = spec["labels"].shape[0]
        refs += [shape(spec["labels"], p), shape(spec["values"], steps + 1, p), shape(spec["grads"], steps, p),
                 shape(spec["grad_before"], steps, p), shape(spec["losses"], steps)]
    elif sum(g["steps"] for g in graphs) != steps:
        raise TraceError(f"the graphs' steps do not add up to steps ({steps})")
    for g in graphs:
        n, s = g["nodes"], g["steps"]
        refs += [shape(g["ops"], n), shape(g["labels"], n), shape(g["arity"], n), shape(g["inputs"], g["edges"])]
        for name in TABLES:
            chunks = g[name]
            most = name == "leaf_uid"  # a leaf table is as wide as the graph's leaves, at most its nodes
            if len(chunks) == 1:
                ref = chunks[0]
                if len(ref.shape) != 2 or ref.shape[0] != s or (ref.shape[1] > n if most else ref.shape[1] != n):
                    raise TraceError(f"{ref.name} has shape {ref.shape}, expected [{s}, {'at most ' * most}{n}]")
            else:
                widths = {c.shape[1] if len(c.shape) == 2 else -1 for c in chunks}
                if sum(c.shape[0] for c in chunks) != s or len(widths) != 1 or -1 in widths \
                        or (max(widths) > n if most else widths != {n}):
                    raise TraceError(f"{chunks[0].name} has shapes {[c.shape for c in chunks]}, expected {s} rows "
                                     f"of {'at most ' * most}{n} in all")
            refs += chunks
    final = header["final"]
    f, most = final["uid"].shape[0], max((g["nodes"] for g in graphs), default=0)
    if len(final["uid"].shape) != 1 or f > most:
        raise TraceError(f"final.uid has shape {final['uid'].shape}, expected [at most {most}] (a graph's nodes)")
    refs += [final["uid"], shape(final["data"], f), shape(final["grad"], f)]
    if "losses" in header:
        refs.append(shape(header["losses"], steps))
    if "summary" in header:
        summary, leaves = header["summary"], sum(g["leaf_uid"][0].shape[-1] for g in graphs)
        if not -1 <= summary["first_bad_step"] < max(steps, 0) and summary["first_bad_step"] != -1:
            raise TraceError(f"summary.first_bad_step is {summary['first_bad_step']}, not a step of {steps}")
        if summary["parameters"] > leaves:
            raise TraceError(f"summary.parameters is {summary['parameters']}, more than the graphs' {leaves} leaves")
    if "events" in header:
        if level != "all":
            raise TraceError("events are recorded only with the graphs (level all)")
        ev = header["events"]
        refs += [shape(ev["count"], steps), shape(ev["node"], ev["total"]), shape(ev["grad"], ev["total"]),
                 shape(ev["amount"], ev["amounts"])]
    return refs


def _check_layout(refs, body_size):
    """Every block inside the body, no two overlapping (so none decodes twice), each numeric block no
    larger than zlib can make of its bytes, and all of them together within MAX_DECODED. Returns the
    bytes the numeric blocks decode to."""
    end, previous = 0, None
    for ref in sorted(refs, key=lambda r: r.offset):
        if ref.offset + ref.length > body_size:
            raise TraceError(f"{ref.name} lies outside the file (truncated trace?)")
        if ref.offset < end:
            raise TraceError(f"{ref.name} overlaps {previous.name}: blocks may not share bytes")
        end, previous = ref.offset + ref.length, ref
    numbers = 0
    for ref in refs:
        if ref.dtype == "json":
            continue
        size = ref.decoded_size
        if size > ZLIB_MAX_RATIO * ref.length + 1024:
            raise TraceError(f"{ref.name} claims {size} bytes from {ref.length} compressed bytes")
        numbers += size
    if numbers > MAX_DECODED:
        raise TraceError(f"the blocks claim {numbers} bytes of numbers; a trace holds at most {MAX_DECODED}")
    return numbers


# ----- the body, decoded block by block within the budget the header allowed
class _Body:
    def __init__(self, f, start, text_budget):
        self.f, self.start, self.text_budget = f, start, text_budget
        self.identity = (start, _identity(f))

    def raw(self, ref, limit):
        """The block's bytes decompressed, refused as soon as they pass `limit`."""
        self.f.seek(self.start + ref.offset)
        packed = self.f.read(ref.length)
        if len(packed) != ref.length:
            raise TraceError(f"truncated trace: {ref.name} lies outside the file")
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(packed, limit + 1)
        except zlib.error:
            raise TraceError(f"corrupt trace: {ref.name} is not zlib data") from None
        if not inflater.eof or inflater.unused_data or len(raw) > limit:
            raise TraceError(f"corrupt trace: {ref.name} does not decode to its claimed size")
        return raw

    def array(self, ref):
        raw = self.raw(ref, ref.decoded_size)
        if len(raw) != ref.decoded_size:
            raise TraceError(f"corrupt trace: {ref.name} does not decode to its claimed size")
        return decode(raw, ref.dtype, ref.shape, ref.codec)

    def strings(self, ref):
        """A json block: a list of shape[0] strings (labels, ops), within what is left of the budget."""
        n = ref.shape[0]
        raw = self.raw(ref, min(n * JSON_PER_STRING + 2, self.text_budget))
        self.text_budget -= len(raw)
        try:
            items = json.loads(raw)
        except (ValueError, RecursionError):
            items = None
        if type(items) is not list or len(items) != n or any(type(t) is not str for t in items):
            raise TraceError(f"corrupt trace: {ref.name} is not a JSON list of {n} strings")
        return items


def _events(header, body, graphs, step_graph):
    """The recorded backward events, checked against the graphs, or None (derive them)."""
    if "events" not in header:
        return None
    spec = header["events"]
    count = body.array(spec["count"])
    if len(count) and (count.min() < -1 or count.max() > spec["total"]) \
            or sum(max(c, 0) for c in count.tolist()) != spec["total"]:  # Python ints: no overflow
        raise TraceError("corrupt trace: events.count does not add up to events.total")
    events = RecordedEvents(count, *(body.array(spec[k]) for k in ("node", "grad", "amount")))
    try:
        return events.with_arity(lambda k: graphs[step_graph[k]].arity)
    except TraceError as e:
        raise TraceError(f"corrupt trace: events: {e}") from None


def _decode(header, body, path):
    graphs = []
    for i, spec in enumerate(header["graphs"]):
        graph = Graph(body.strings(spec["ops"]), body.strings(spec["labels"]), body.array(spec["arity"]),
                      body.array(spec["inputs"]))
        try:
            graph.validate()
        except TraceError as e:
            raise TraceError(f"corrupt trace: graphs[{i}]: {e}") from None
        width = spec["leaf_uid"][0].shape[1]
        if width != len(graph.leaves):
            raise TraceError(f"corrupt trace: graphs[{i}].leaf_uid has {width} columns for "
                             f"{len(graph.leaves)} leaves")
        graphs.append(graph)
    step_graph = body.array(header["step_graph"])
    if len(step_graph) and (step_graph.min() < 0 or step_graph.max() >= len(graphs)):
        raise TraceError("corrupt trace: a step refers to a graph that is not there")
    counts = np.bincount(step_graph, minlength=len(graphs))
    if any(c != spec["steps"] for c, spec in zip(counts, header["graphs"])):
        raise TraceError("corrupt trace: step counts per graph disagree")
    tables = [{name: spec[name] for name in TABLES} for spec in header["graphs"]]
    losses = body.array(header["losses"]) if "losses" in header else None
    summary = header.get("summary")
    final = header["final"]
    uids, data, grad = (body.array(final[k]) for k in ("uid", "data", "grad"))
    store = StepColumns(graphs, step_graph, None, {int(u): (float(d), float(g)) for u, d, g in zip(uids, data, grad)},
                        _events(header, body, graphs, step_graph), loader=_TableLoader(path, body.identity, tables),
                        summary=summary and {"losses": losses, "parameters": summary["parameters"],
                                             "first_bad_step": None if summary["first_bad_step"] < 0
                                             else summary["first_bad_step"]})
    if header["level"] == "params":
        spec = header["parameters"]
        labels = body.strings(spec["labels"])
        try:
            check_labels(labels)
        except TraceError as e:
            raise TraceError(f"corrupt trace: parameters.labels: {e}") from None
        store = ParameterTable(labels, *(body.array(spec[k]) for k in ("values", "grads", "grad_before", "losses")))
    return header["meta"], store, header.get("nnanim", "unknown")
