"""The nnanim trace file: a small JSON header, then compressed binary columns. Never pickle.

    bytes 0-7   b"NNTRACE\\n"
    bytes 8-11  header length H, uint32 little-endian
    next H      header, UTF-8 JSON (format, version, nnanim version, meta, graphs, block table)
    the rest    blocks, each described in the header by offset, length, dtype, shape and codec

docs/trace-format.md is the full description. Every size is checked before anything is allocated.
"""

import json
import struct
import zlib

import numpy as np

from nnanim.engine.atomic import atomic_path
from nnanim.engine.trace import Graph, ParameterTable, StepColumns, Trace, TraceError

MAGIC = b"NNTRACE\n"
VERSION = 1
MAX_HEADER = 64 << 20
MAX_BLOCK = 2 << 30
ZLIB_MAX_RATIO = 1100  # zlib cannot expand more than ~1032x; anything claiming more is lying
DTYPES = {"<f8": np.float64, "<i4": np.int32, "<i8": np.int64, "json": None}


def nnanim_version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("nnanim")
    except PackageNotFoundError:
        return "0+unknown"


# ----- writing
class _BlockWriter:
    def __init__(self):
        self.parts, self.offset = [], 0

    def add(self, array=None, codec="zlib", text=None):
        if text is not None:
            raw, dtype, shape = json.dumps(text).encode(), "json", [len(text)]
        else:
            array = np.ascontiguousarray(array)
            dtype, shape = array.dtype.str, list(array.shape)
            raw = _xor_shuffle(array) if codec == "xor-shuffle-zlib" else array.tobytes()
        payload = zlib.compress(raw, 6)
        ref = {"offset": self.offset, "length": len(payload), "dtype": dtype, "shape": shape, "codec": codec}
        self.parts.append(payload)
        self.offset += len(payload)
        return ref


def _xor_shuffle(array):
    """Float columns (steps x nodes) as node-major series, each XORed with the step before, bytes split
    into planes: slowly changing numbers become runs of zero bytes that zlib packs well."""
    series = np.ascontiguousarray(array.T).view(np.uint64)
    delta = series.copy()
    delta[:, 1:] ^= series[:, :-1]
    return delta.view(np.uint8).reshape(-1, 8).T.tobytes()


def _xor_unshuffle(raw, shape):
    rows, cols = shape
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(8, -1).T
    delta = np.ascontiguousarray(planes).view(np.uint64).reshape(cols, rows)
    series = np.bitwise_xor.accumulate(delta, axis=1)
    return np.ascontiguousarray(series.view(np.float64).T)


def write_trace(trace, path):
    """Save atomically: the file appears whole or not at all."""
    blocks = _BlockWriter()
    graphs = []
    for graph, cols in zip(trace.graphs, trace.columns):
        graphs.append({
            "nodes": len(graph), "edges": int(len(graph.edges)), "steps": int(len(cols["data"])),
            "ops": blocks.add(text=graph.ops), "labels": blocks.add(text=graph.labels),
            "arity": blocks.add(graph.arity.astype("<i4")), "inputs": blocks.add(graph.edges.astype("<i4")),
            **{name: blocks.add(cols[name].astype("<f8"), codec="xor-shuffle-zlib")
               for name in ("data", "grad_before", "grad")},
            "leaf_uid": blocks.add(cols["leaf_uid"].astype("<i8"), codec="xor-shuffle-zlib"),
        })
    uids = sorted(trace.final)
    header = {
        "format": "nnanim-trace", "version": VERSION, "nnanim": nnanim_version(),
        "meta": trace.meta, "steps": trace.num_steps, "level": trace.level,
        "step_graph": blocks.add(trace.step_graph.astype("<i4")),
        "graphs": graphs,
        "final": {"uid": blocks.add(np.array(uids, dtype="<i8")),
                  "data": blocks.add(np.array([trace.final[u][0] for u in uids], dtype="<f8")),
                  "grad": blocks.add(np.array([trace.final[u][1] for u in uids], dtype="<f8"))},
    }
    if trace.level == "params":
        table = trace.store
        header["parameters"] = {
            "labels": blocks.add(text=table.labels),
            "values": blocks.add(table.values.astype("<f8"), codec="xor-shuffle-zlib"),
            "grads": blocks.add(table.grads.astype("<f8"), codec="xor-shuffle-zlib"),
            "grad_before": blocks.add(table.grad_before.astype("<f8"), codec="xor-shuffle-zlib"),
            "losses": blocks.add(table.losses.astype("<f8")),
        }
    head = json.dumps(header, allow_nan=True).encode()
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(MAGIC + struct.pack("<I", len(head)) + head)
        for part in blocks.parts:
            f.write(part)


# ----- reading
def read_trace(path):
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise TraceError(f"cannot read {path}: {e.strerror}") from None
    try:
        return _parse(raw)
    except TraceError as e:
        raise TraceError(f"{path}: {e}") from None
    except (ValueError, KeyError, TypeError, IndexError, zlib.error) as e:
        raise TraceError(f"{path}: corrupt trace ({type(e).__name__}: {e})") from None


def _parse(raw):
    if not raw.startswith(MAGIC):
        raise TraceError("not an nnanim trace (it does not start with the NNTRACE signature)")
    if len(raw) < 12:
        raise TraceError("truncated trace: no header")
    (size,) = struct.unpack_from("<I", raw, 8)
    if size > MAX_HEADER or 12 + size > len(raw):
        raise TraceError(f"truncated or corrupt trace: header claims {size} bytes, file has {len(raw) - 12}")
    try:
        header = json.loads(raw[12:12 + size])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TraceError("corrupt trace: the header is not valid JSON") from None
    _check_version(header)
    body = memoryview(raw)[12 + size:]
    steps = _count(header.get("steps"), "steps")
    graph_steps = 0 if header.get("level") == "params" else steps
    step_graph = _block(body, header["step_graph"], "step_graph", (graph_steps,))
    graphs, columns = [], []
    for i, spec in enumerate(header["graphs"]):
        n, e, s = (_count(spec.get(k), f"graph {i} {k}") for k in ("nodes", "edges", "steps"))
        graph = Graph(_block(body, spec["ops"], "ops", (n,)), _block(body, spec["labels"], "labels", (n,)),
                      _block(body, spec["arity"], "arity", (n,)), _block(body, spec["inputs"], "inputs", (e,)))
        graph.validate()
        graphs.append(graph)
        cols = {name: _block(body, spec[name], name, (s, n)) for name in ("data", "grad_before", "grad")}
        cols["leaf_uid"] = _block(body, spec["leaf_uid"], "leaf_uid", (s, len(graph.leaves)))
        columns.append(cols)
    if len(step_graph) and (step_graph.min() < 0 or step_graph.max() >= len(graphs)):
        raise TraceError("corrupt trace: a step refers to a graph that is not there")
    counts = np.bincount(step_graph, minlength=len(graphs))
    if any(c != len(cols["data"]) for c, cols in zip(counts, columns)):
        raise TraceError("corrupt trace: step counts per graph disagree")
    final = header["final"]
    uids = _block(body, final["uid"], "final uid", None)
    data = _block(body, final["data"], "final data", (len(uids),))
    grad = _block(body, final["grad"], "final grad", (len(uids),))
    final = {int(u): (float(d), float(g)) for u, d, g in zip(uids, data, grad)}
    store = StepColumns(graphs, step_graph, columns, final)
    level = header.get("level", "all")
    if level == "params":
        spec = header["parameters"]
        labels = _block(body, spec["labels"], "parameter labels", None)
        p = len(labels)
        store = ParameterTable(
            labels, _block(body, spec["values"], "parameter values", (steps + 1, p)),
            _block(body, spec["grads"], "parameter grads", (steps, p)),
            _block(body, spec["grad_before"], "parameter grads before", (steps, p)),
            _block(body, spec["losses"], "losses", (steps,)))
    elif level != "all":
        raise TraceError(f"unknown record level {level!r}")
    trace = Trace(meta=header.get("meta") or {}, store=store)
    trace.written_by = str(header.get("nnanim", "unknown"))
    return trace


def _check_version(header):
    if not isinstance(header, dict) or header.get("format") != "nnanim-trace":
        raise TraceError("not an nnanim trace (the header does not say format nnanim-trace)")
    version = header.get("version")
    if not isinstance(version, int) or version < 1:
        raise TraceError(f"unknown trace format version {version!r}")
    if version > VERSION:
        raise TraceError(f"trace format version {version} is newer than this nnanim reads "
                         f"(up to {VERSION}); upgrade nnanim (written by nnanim {header.get('nnanim', '?')})")


def _count(value, what):
    if not isinstance(value, int) or value < 0 or value > MAX_BLOCK:
        raise TraceError(f"corrupt trace: {what} is {value!r}")
    return value


def _block(body, ref, name, shape):
    """Decode one block after checking that everything it claims is possible."""
    offset, length, dtype = ref["offset"], ref["length"], ref["dtype"]
    claimed = [_count(d, f"{name} shape") for d in ref["shape"]]
    if shape is not None and tuple(claimed) != tuple(shape):
        raise TraceError(f"corrupt trace: {name} has shape {claimed}, expected {list(shape)}")
    if dtype not in DTYPES or ref["codec"] not in ("zlib", "xor-shuffle-zlib"):
        raise TraceError(f"corrupt trace: {name} has unknown dtype or codec")
    if not (isinstance(offset, int) and isinstance(length, int) and 0 <= offset and 0 <= length
            and offset + length <= len(body)):
        raise TraceError(f"truncated trace: {name} lies outside the file")
    if dtype == "json":
        expected = None
    else:
        expected = int(np.prod(claimed, dtype=np.int64)) * np.dtype(DTYPES[dtype]).itemsize
        if expected > MAX_BLOCK or expected > ZLIB_MAX_RATIO * length + 1024:
            raise TraceError(f"corrupt trace: {name} claims {expected} bytes from {length} compressed bytes")
    limit = expected if expected is not None else ZLIB_MAX_RATIO * length + 1024
    inflater = zlib.decompressobj()
    raw = inflater.decompress(body[offset:offset + length], limit + 1)
    if not inflater.eof or (expected is not None and len(raw) != expected):
        raise TraceError(f"corrupt trace: {name} does not decode to its claimed size")
    if dtype == "json":
        items = json.loads(raw)
        if not isinstance(items, list) or not all(isinstance(t, str) for t in items) or len(items) != claimed[0]:
            raise TraceError(f"corrupt trace: {name} is not a list of {claimed[0]} strings")
        return items
    if ref["codec"] == "xor-shuffle-zlib":
        if len(claimed) != 2:
            raise TraceError(f"corrupt trace: {name} is not a table")
        out = _xor_unshuffle(raw, claimed).view(DTYPES[dtype])
        return out
    return np.frombuffer(raw, dtype=DTYPES[dtype]).reshape(claimed).copy()
