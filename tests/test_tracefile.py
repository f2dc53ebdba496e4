import json
import math
import os
import re
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnanim.engine import TraceError, load_trace
from nnanim.engine.tracefile import MAGIC


def assert_same_trace(a, b):
    assert a.meta == b.meta
    assert a.num_steps == b.num_steps
    assert a.step_graph.tolist() == b.step_graph.tolist()
    for ga, gb, ca, cb in zip(a.graphs, b.graphs, a.columns, b.columns):
        assert ga.ops == gb.ops and ga.labels == gb.labels
        assert ga.arity.tolist() == gb.arity.tolist() and ga.edges.tolist() == gb.edges.tolist()
        for name in ("data", "grad_before", "grad", "leaf_uid"):
            np.testing.assert_array_equal(ca[name], cb[name])
    assert a.final == b.final
    assert a.parameters == b.parameters
    for k in range(a.num_steps):
        assert a.step(k).updates == b.step(k).updates
        assert a.step(k).backward_events() == b.step(k).backward_events()


def test_round_trip_keeps_every_field(small_trace, tmp_path):
    path = tmp_path / "run.nntrace"
    small_trace.save(path)
    loaded = load_trace(path)
    assert_same_trace(small_trace, loaded)
    assert loaded.written_by


def test_round_trip_keeps_nan_and_inf(tmp_path):
    from nnanim.engine import MLP, record, train
    mlp = MLP(1, [1], seed=0, activation="linear")
    with np.errstate(all="ignore"), record() as trace:
        train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)
    trace.save(tmp_path / "nan.nntrace")
    loaded = load_trace(tmp_path / "nan.nntrace")
    np.testing.assert_array_equal(loaded.losses, trace.losses)
    assert loaded.first_bad_step() == trace.first_bad_step()


def header_and_body(path):
    raw = path.read_bytes()
    (size,) = struct.unpack_from("<I", raw, 8)
    return json.loads(raw[12:12 + size]), raw[12 + size:]


def rewrite(path, header, body):
    head = json.dumps(header).encode()
    path.write_bytes(MAGIC + struct.pack("<I", len(head)) + head + body)


@pytest.fixture
def saved(small_trace, tmp_path):
    path = tmp_path / "run.nntrace"
    small_trace.save(path)
    return path


def test_refuses_a_file_that_is_not_a_trace(tmp_path):
    path = tmp_path / "x.nntrace"
    path.write_bytes(b"PK\x03\x04 something else")
    with pytest.raises(TraceError, match="not an nnanim trace"):
        load_trace(path)


def test_refuses_a_truncated_trace(saved):
    raw = saved.read_bytes()
    for cut in (5, 40, len(raw) // 2, len(raw) - 3):
        saved.write_bytes(raw[:cut])
        with pytest.raises(TraceError, match="truncated|corrupt"):
            load_trace(saved)


def test_refuses_a_newer_version(saved):
    header, body = header_and_body(saved)
    header["version"] = 99
    rewrite(saved, header, body)
    with pytest.raises(TraceError, match="version 99 is newer"):
        load_trace(saved)


def test_refuses_absurd_sizes_before_allocating(saved):
    header, body = header_and_body(saved)
    header["steps"] = 10**15
    rewrite(saved, header, body)
    with pytest.raises(TraceError, match="corrupt"):
        load_trace(saved)
    header, body = header_and_body(saved)
    header["steps"] = 5
    header["graphs"][0]["steps"] = 2**30
    header["graphs"][0]["data"]["shape"] = [2**30, header["graphs"][0]["nodes"]]
    rewrite(saved, header, body)
    with pytest.raises(TraceError, match="claims|shape|corrupt"):
        load_trace(saved)


def test_refuses_a_decompression_bomb(saved):
    header, body = header_and_body(saved)
    bomb = zlib.compress(b"\0" * (50 << 20))
    ref = header["step_graph"]
    ref.update(offset=len(body), length=len(bomb), shape=[5])
    rewrite(saved, header, body + bomb)
    with pytest.raises(TraceError, match="claimed size|corrupt"):
        load_trace(saved)


def test_refuses_a_graph_whose_edges_point_forward(saved):
    header, body = header_and_body(saved)
    g = header["graphs"][0]
    bad = zlib.compress(np.full(g["edges"], g["nodes"] - 1, dtype="<i4").tobytes())
    g["inputs"].update(offset=len(body), length=len(bad))
    rewrite(saved, header, body + bad)
    with pytest.raises(TraceError, match="edge"):
        load_trace(saved)


def test_refuses_garbage_header(saved):
    raw = saved.read_bytes()
    saved.write_bytes(raw[:12] + b"]" + raw[13:])
    with pytest.raises(TraceError, match="JSON|corrupt"):
        load_trace(saved)


def test_save_is_atomic(small_trace, tmp_path, monkeypatch):
    path = tmp_path / "run.nntrace"
    path.write_bytes(b"old contents")
    import nnanim.engine.tracefile as tf

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tf._BlockWriter, "add_packed", explode)
    with pytest.raises(RuntimeError):
        small_trace.save(path)
    assert path.read_bytes() == b"old contents"
    assert list(tmp_path.iterdir()) == [path]


# ----- untrusted files (issue 11): every bad file ends in one TraceError line, in bounded time and memory
def block(body, raw, dtype, shape, codec="zlib", level=6):
    """Append `raw`, zlib-compressed, to `body`; its reference as the header gives it."""
    payload = zlib.compress(raw, level)
    ref = {"offset": len(body), "length": len(payload), "dtype": dtype, "shape": list(shape), "codec": codec}
    body += payload
    return ref


def crafted(ops=("", "", "*"), labels=("a", "b", "L"), arity=(0, 0, 2), inputs=(0, 1), data=((2.0, -3.0, -6.0),),
            meta=None):
    """A trace written by hand, field by field as docs/trace-format.md describes it: (header, body)."""
    body = bytearray()
    s, n = len(data), len(ops)
    leaves = [i for i, k in enumerate(arity) if k == 0]
    table = np.array(data, dtype="<f8").reshape(s, n)
    graph = {"nodes": n, "edges": len(inputs), "steps": s,
             "ops": block(body, json.dumps(list(ops)).encode(), "json", [n]),
             "labels": block(body, json.dumps(list(labels)).encode(), "json", [n]),
             "arity": block(body, np.array(arity, "<i4").tobytes(), "<i4", [n]),
             "inputs": block(body, np.array(inputs, "<i4").tobytes(), "<i4", [len(inputs)]),
             "data": block(body, table.tobytes(), "<f8", [s, n]),
             "grad_before": block(body, np.zeros((s, n)).tobytes(), "<f8", [s, n]),
             "grad": block(body, np.ones((s, n)).tobytes(), "<f8", [s, n]),
             "leaf_uid": block(body, np.tile(np.arange(len(leaves), dtype="<i8"), s).tobytes(), "<i8",
                               [s, len(leaves)])}
    header = {"format": "nnanim-trace", "version": 1, "nnanim": "test", "meta": meta or {}, "steps": s,
              "level": "all", "step_graph": block(body, np.zeros(s, "<i4").tobytes(), "<i4", [s]),
              "graphs": [graph],
              "final": {"uid": block(body, b"", "<i8", [0]), "data": block(body, b"", "<f8", [0]),
                        "grad": block(body, b"", "<f8", [0])}}
    return header, bytes(body)


def write(path, header, body=b"", allow_nan=False):
    head = json.dumps(header, allow_nan=allow_nan).encode()
    path.write_bytes(MAGIC + struct.pack("<I", len(head)) + head + body)
    return path


def refused(path, *words):
    """load_trace refuses `path` with one line naming it and containing each of `words`."""
    with pytest.raises(TraceError) as caught:
        load_trace(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)), message
    for word in words:
        assert word in message, message
    return message


def inspect_fails(path):
    """`nnanim inspect FILE`: exit 1 and one line starting with Error:, no traceback."""
    from click.testing import CliRunner
    from nnanim.cli import main
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    return lines[0]


def test_a_crafted_trace_reads(tmp_path):
    trace = load_trace(write(tmp_path / "t.nntrace", *crafted()))
    assert trace.losses.tolist() == [-6.0]
    assert [e.received for e in trace.step(0).backward_events()] == [(-3.0, 2.0)]


def test_the_signature_is_checked_before_anything_else_is_read(tmp_path):
    import tracemalloc
    big = tmp_path / "big.nntrace"
    with open(big, "wb") as f:  # 1 GB, sparse: costs nothing unless read
        f.write(b"PK\x03\x04")
        f.truncate(1 << 30)
    tracemalloc.start()
    read = bytes_read()
    refused(big, "not an nnanim trace")
    read = bytes_read() - read
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert read < 1 << 20 and peak < 1 << 20, "the 1 GB is neither read nor held"


def bytes_read():
    """What this process has read so far, files and pipes alike (Linux's /proc/self/io)."""
    return int(re.search(r"^rchar: (\d+)$", Path("/proc/self/io").read_text(), re.M).group(1))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused():
    refused("/dev/zero", "a device, not a regular file")
    assert "not a regular file" in inspect_fails("/dev/zero")


def test_a_directory_is_refused(tmp_path):
    refused(tmp_path, "a directory, not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.nntrace"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(TraceError, load_trace, fifo)))
    reader.start()
    reader.join(5)
    if reader.is_alive():  # it waits for a writer: give it one, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert "a FIFO, not a regular file" in str(outcome[0].value)
    assert "FIFO" in inspect_fails(fifo)


def aliasing_bomb(path, megabytes=64, graphs=3):
    """The issue's bomb: a well-formed trace whose big blocks all point at one maximal-ratio zlib stream,
    each decoding to exactly its claimed size: only their sharing (and their sum) gives it away."""
    s, n = 1024, (megabytes << 20) // 8 // 1024
    body = bytearray()
    table = block(body, bytes(s * n * 8), "<f8", [s, n], level=9)
    graph = {"nodes": n, "edges": 0, "steps": s,
             "ops": block(body, json.dumps([""] * n).encode(), "json", [n]),
             "labels": block(body, json.dumps([""] * n).encode(), "json", [n]),
             "arity": block(body, bytes(4 * n), "<i4", [n]), "inputs": block(body, b"", "<i4", [0]),
             "data": table, "grad_before": table, "grad": table, "leaf_uid": dict(table, dtype="<i8")}
    header = {"format": "nnanim-trace", "version": 1, "steps": graphs * s,
              "step_graph": block(body, np.repeat(np.arange(graphs, dtype="<i4"), s).tobytes(), "<i4", [graphs * s]),
              "graphs": [graph] * graphs,
              "final": {key: block(body, b"", dtype, [0]) for key, dtype in
                        (("uid", "<i8"), ("data", "<f8"), ("grad", "<f8"))}}
    return write(path, header, bytes(body))


def test_blocks_that_share_bytes_are_refused_before_decompressing(tmp_path, monkeypatch):
    import nnanim.engine.tracefile as tf
    path = aliasing_bomb(tmp_path / "bomb.nntrace")

    def decompressing(*args):
        raise AssertionError("decompressed a block of a refused trace")

    monkeypatch.setattr(tf._Body, "raw", decompressing)
    refused(path, "corrupt trace", "overlaps")
    header, body = crafted()  # one small block used twice
    header["graphs"][0]["grad"] = dict(header["graphs"][0]["data"])
    refused(write(tmp_path / "twice.nntrace", header, body), "overlaps")


def test_the_bomb_stays_within_bounded_memory_and_time(tmp_path):
    """`nnanim inspect` of the issue's bomb, in a process limited to 768 MB of address space."""
    path = aliasing_bomb(tmp_path / "bomb.nntrace", megabytes=256)
    program = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20)); "
               "from nnanim.cli import main; sys.argv = ['nnanim', 'inspect', sys.argv[1]]; main()")
    done = subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})  # the time bound: it ends or fails
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("Error:") and done.stderr.count("\n") == 1 and "overlaps" in done.stderr


def test_the_decoded_total_is_bounded_by_the_counts_before_decompressing(tmp_path, monkeypatch):
    import nnanim.engine.tracefile as tf
    monkeypatch.setattr(tf._Body, "raw", lambda *args: pytest.fail("decompressed a block of a refused trace"))
    header, body = crafted()
    s, n = 1000, 50_000  # three tables of 400 MB: 1.2 GB in all, each block long enough for zlib's ratio
    graph = header["graphs"][0]
    graph.update(nodes=n, steps=s)
    header.update(steps=s)
    header["step_graph"]["shape"] = [s]
    for name in ("ops", "labels", "arity"):
        graph[name]["shape"] = [n]
    graph["leaf_uid"]["shape"] = [s, 2]
    filler = len(body)
    for name, dtype, shape, length in [("arity", "<i4", [n], 1000)] + [
            (table, "<f8", [s, n], 400 << 10) for table in ("data", "grad_before", "grad")]:
        graph[name] = {"offset": filler, "length": length, "dtype": dtype, "shape": shape, "codec": "zlib"}
        filler += length
    refused(write(tmp_path / "huge.nntrace", header, body + bytes(filler - len(body))), "at most")
    graph["data"]["length"] = 100  # a claim zlib cannot expand to
    refused(write(tmp_path / "ratio.nntrace", header, body + bytes(filler - len(body))), "claims")


def test_a_block_outside_the_file_is_refused(tmp_path):
    header, body = crafted()
    header["graphs"][0]["grad"]["offset"] = len(body) - 2
    refused(write(tmp_path / "t.nntrace", header, body), "outside the file")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("change, words", [
    (lambda h: h.update(graphs=[1]), "graphs[0] is not an object"),
    (lambda h: h.update(graphs={}), "graphs is not a list"),
    (lambda h: h["graphs"][0].update(nodes=0), "graphs[0].nodes is 0"),
    (lambda h: h["graphs"][0].pop("ops"), "graphs[0].ops is missing"),
    (lambda h: h.update(steps=True), "steps is True"),
    (lambda h: h.update(steps="1"), "steps is '1'"),
    (lambda h: h.update(level="everything"), "level is 'everything', not one of all, params"),
    (lambda h: h.update(version=True), "unknown trace format version True"),
    (lambda h: h.update(nnanim=["x"]), "nnanim is"),
    (lambda h: h.update(final=None), "final is not an object"),
    (lambda h: h["graphs"][0]["data"].update(dtype="<i4"), "graphs[0].data.dtype is '<i4', not '<f8'"),
    (lambda h: h["graphs"][0]["data"].update(codec="lzma"), "graphs[0].data.codec is 'lzma'"),
    (lambda h: h["graphs"][0]["data"].update(shape=[1]), "graphs[0].data has shape [1], expected [1, 3]"),
    (lambda h: h["graphs"][0]["data"].update(offset=-1), "graphs[0].data.offset is -1"),
    (lambda h: h["graphs"][0]["arity"].update(codec="xor-shuffle-zlib"), "only for tables"),
    (lambda h: h["graphs"][0].update(steps=2), "do not add up"),
    (lambda h: h.update(meta=[]), "meta is not an object"),
    (lambda h: h["meta"].update(architecture=5), "meta.architecture is 5, not a list"),
    (lambda h: h["meta"].update(architecture=[3, 0, 2]), "meta.architecture is [3, 0, 2]"),
    (lambda h: h["meta"].update(architecture=[3, 10**9]), "meta.architecture"),
    (lambda h: h["meta"].update(activation="sigmoid"), "meta.activation is 'sigmoid', not one of tanh"),
    (lambda h: h["meta"].update(loss=1), "meta.loss is 1"),
    (lambda h: h["meta"].update(inputs=[1, 2]), "meta.inputs is not a list of lists of numbers"),
    (lambda h: h["meta"].update(inputs=[[1, "x"]]), "meta.inputs[0] is 'x', not a number"),
    (lambda h: h["meta"].update(inputs=[[1, True]]), "meta.inputs[0] is True, not a number"),
    (lambda h: h["meta"].update(inputs=[[1, 2], [3]]), "meta.inputs has rows that are not all of one length"),
    (lambda h: h["meta"].update(architecture=[2, 1], inputs=[[1, 2, 3]]), "not all 2 numbers long"),
    (lambda h: h["meta"].update(inputs=[[1]], targets=[]), "1 examples but meta.targets has 0"),
    (lambda h: h["meta"].update(input_labels=[1]), "meta.input_labels[0] is 1"),
    (lambda h: h["meta"].update(architecture=[2, 1], input_labels=["x"]), "1 labels for 2 inputs"),
    (lambda h: h["meta"].update(architecture=[2, 1], parameters=["w"]), "an MLP 2,1 has 3"),
    (lambda h: h["meta"].update(lr="fast"), "meta.lr is 'fast', not a number"),
    (lambda h: h["meta"].update(seed=1.5), "meta.seed is 1.5"),
    (lambda h: h["meta"].update(source={}), "meta.source is {}"),
    (lambda h: h["meta"].update(script="x" * 5000), "meta.script is 'xxx"),
    (lambda h: h["meta"].update(note=[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]), "nests deeper than 16 levels"),
])
def test_every_header_field_is_checked_once_on_load(tmp_path, change, words):
    header, body = crafted()
    change(header)
    message = refused(write(tmp_path / "t.nntrace", header, body), words)
    assert "Error: " + message == inspect_fails(tmp_path / "t.nntrace")


def test_a_deeply_nested_header_is_one_line(tmp_path):
    head = ('{"format": "nnanim-trace", "version": 1, "meta": {"x": ' + DEEP + "}}").encode()
    path = tmp_path / "deep.nntrace"
    path.write_bytes(MAGIC + struct.pack("<I", len(head)) + head)
    refused(path, "nests deeper")


@pytest.mark.parametrize("ops, arity, inputs, words", [
    (["", "", "}\\input{/etc/passwd}\\mathrm{"], [0, 0, 2], [0, 1], "an op the engine does not know"),
    (["", "", "**x"], [0, 0, 1], [0], "does not know: '**x'"),
    (["", "", 5], [0, 0, 2], [0, 1], "not a JSON list of 3 strings"),
    (["", "", "*"], [0, 0, 1], [0], "node 2 (*) has 1 inputs, not 2"),
    (["", "", "tanh"], [0, 0, 2], [0, 1], "node 2 (tanh) has 2 inputs, not 1"),
    (["", "", "*"], [0, 0, 2], [0, 2], "edge to a node that does not come before it"),
    (["", "", "*"], [0, -1, 3], [0, 1], "node 1 has -1 inputs"),
])
def test_ops_must_be_the_engines_with_their_arity(tmp_path, ops, arity, inputs, words):
    header, body = crafted(ops=ops, arity=arity, inputs=inputs)
    refused(write(tmp_path / "t.nntrace", header, body), "corrupt trace", words)


def test_labels_must_be_storable_strings(tmp_path):
    for labels, words in ((["a", "b", ["L"]], "not a JSON list of 3 strings"),
                          (["a", "b", "L" * 1001], "longer than 1000"),
                          (["a", "b", "\ud800"], "lone surrogate")):
        header, body = crafted(labels=labels)
        refused(write(tmp_path / "t.nntrace", header, body), words)


def test_replaying_huge_values_gives_inf_not_overflow(tmp_path):
    """Python floats raise on 1e200**2 (tanh's rule) and on 1/0.0 (log's): a replay follows IEEE instead."""
    ops, arity, inputs = ["", "tanh", "log", "**2", "*"], [0, 1, 1, 1, 2], [0, 0, 0, 0, 3]
    header, body = crafted(ops, list("xabcL"), arity, inputs, data=[[0.0, 1e200, 1e300, 1e300, 1e308]])
    trace = load_trace(write(tmp_path / "t.nntrace", header, body))
    events = trace.step(0).backward_events()
    assert all(type(g) is float for e in events for g in (e.grad,) + e.received + e.grads)
    assert not all(math.isfinite(g) for e in events for g in e.received)


def test_non_finite_meta_numbers_are_portable_json(tmp_path):
    from nnanim.engine import MLP, record, train
    mlp = MLP(1, [1], seed=0, activation="linear")
    with np.errstate(all="ignore"), record(lr=math.inf, inputs=[[math.nan]], targets=[[-math.inf]],
                                           note=[math.nan]) as trace:
        train(mlp, [[100.0]], [[1.0]], steps=40, lr=10.0)
    trace.save(tmp_path / "nan.nntrace")
    raw = (tmp_path / "nan.nntrace").read_bytes()
    (size,) = struct.unpack_from("<I", raw, 8)

    def no_bare_constants(token):
        raise AssertionError(f"{token} is not JSON")

    header = json.loads(raw[12:12 + size], parse_constant=no_bare_constants)
    assert header["meta"] == {"lr": "Infinity", "inputs": [["NaN"]], "targets": [["-Infinity"]], "note": ["NaN"]}
    meta = load_trace(tmp_path / "nan.nntrace").meta
    assert meta["lr"] == math.inf and math.isnan(meta["inputs"][0][0]) and meta["targets"] == [[-math.inf]]
    assert meta["note"] == ["NaN"]  # a key nnanim does not know keeps what the file says
    header["meta"] = {"lr": math.nan, "inputs": [[math.inf]]}  # as version 1 files before were written
    write(tmp_path / "old.nntrace", header, raw[12 + size:], allow_nan=True)
    meta = load_trace(tmp_path / "old.nntrace").meta
    assert math.isnan(meta["lr"]) and meta["inputs"] == [[math.inf]]


def test_inspect_prints_no_control_characters_from_the_file(tmp_path):
    from click.testing import CliRunner
    from nnanim.cli import main
    header, body = crafted(meta={"source": "script", "script": "run\x1b[2J\x1b]0;owned\x07.py\u202e"})
    header["nnanim"] = "0.1\x1b[31m"
    write(tmp_path / "t.nntrace", header, body)
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "t.nntrace")])
    assert result.exit_code == 0, result.output
    assert "(run[2J]0;owned.py)" in result.output and "nnanim 0.1[31m" in result.output
    assert not any(c in result.output for c in "\x1b\x07\u202e")


def test_a_label_that_is_not_a_string_is_stored_as_its_text(tmp_path):
    from nnanim.engine import Value, record
    for level in ("all", "params"):
        with record(level=level) as trace:
            a = Value(1.0, label=12345)
            for _ in range(2):
                L = a * a
                L.label = ("L", 1)
                L.backward()
        trace.save(tmp_path / "t.nntrace")
        loaded = load_trace(tmp_path / "t.nntrace")
        assert loaded.parameters == ["12345"]
        if level == "all":
            assert loaded.graphs[0].labels == ["12345", "('L', 1)"] and loaded.parameters == ["12345"]


class Unprintable:
    def __str__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize("label, words", [("x" * 1001, "longer than 1000"), ("\udc80", "lone surrogate"),
                                          (Unprintable(), "type Unprintable cannot be stored")])
@pytest.mark.parametrize("level", ["all", "params"])
def test_a_label_that_cannot_be_stored_is_refused_while_recording(label, words, level):
    from nnanim.engine import Value, record
    with pytest.raises(TraceError, match=words), record(level=level):
        a = Value(1.0, label=label)
        for _ in range(2):  # a parameter: its label is stored at level params too
            (a * 2).backward()


def test_an_unknown_op_is_refused_while_recording():
    from nnanim.engine import Value, record
    with pytest.raises(TraceError, match="does not know: 'sigmoid'"), record():
        a = Value(1.0)
        Value(0.7, (a,), "sigmoid").backward()


@pytest.mark.parametrize("meta, words", [({"architecture": 5}, "meta.architecture is 5"),
                                         ({"x": object()}, "not JSON serializable"),
                                         ({"activation": "sigmoid"}, "meta.activation")])
def test_meta_that_cannot_be_stored_is_refused_when_recording_starts(meta, words):
    from nnanim.engine import record
    with pytest.raises(TraceError, match=f"meta cannot be stored in a trace: .*{words}"), record(**meta):
        pytest.fail("recording started")


# ----- the reader, fuzzed: any change to the header or the bytes ends in a TraceError or a usable trace
def json_values():
    scalars = st.none() | st.booleans() | st.integers(-2, 40) | st.sampled_from([2**31, 2**63, -2**40]) \
        | st.floats() | st.text(max_size=8) | st.sampled_from(["NaN", "Infinity", "", "**2", "json", "<f8"])
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4),
                                                                                              inner, max_size=3),
                        max_leaves=6)


def paths(value, prefix=()):
    """Every place in a JSON value, as a tuple of keys and indices."""
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield from paths(child, prefix + (key,))


def replaced(value, path, new):
    if not path:
        return new
    value = json.loads(json.dumps(value))
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return value


def usable(trace):
    """Read and replay what a loaded trace says: nothing may raise but TraceError (a step of a params trace)."""
    from nnanim.summary import as_text, summarize
    as_text(summarize(trace), "t")
    trace.parameter_series()
    for k in range(min(trace.num_steps, 3)):
        step = trace.step(k)
        step.forward_events()
        step.backward_events()


@pytest.fixture(scope="module")
def fuzz_seeds(tmp_path_factory):
    from nnanim.engine import MLP, record, train
    seeds = [crafted(meta={"architecture": [1, 1], "inputs": [[1.0]], "targets": [[0.5]], "lr": 0.1,
                           "parameters": ["w_000", "b_00"], "input_labels": ["x"], "activation": "tanh"})]
    for level in ("all", "params"):
        with record(level=level, architecture=[1, 1], source="train") as trace:
            train(MLP(1, [1], seed=0), [[1.0]], [[0.5]], steps=2)
        path = tmp_path_factory.mktemp("seed") / "t.nntrace"
        trace.save(path)
        seeds.append(header_and_body(path))
    return seeds


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_header_fields_give_a_trace_error_or_a_usable_trace(fuzz_seeds, tmp_path, data):
    header, body = data.draw(st.sampled_from(fuzz_seeds))
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(list(paths(header))))
        old = header
        for key in where:
            old = old[key]
        nearby = st.integers(-3, 3).map(lambda d: old + d) if type(old) is int else st.nothing()
        header = replaced(header, where, data.draw(nearby | json_values()))
    try:
        usable(load_trace(write(tmp_path / "fuzz.nntrace", header, body, allow_nan=True)))
    except TraceError as e:
        assert "\n" not in str(e)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_bytes_give_a_trace_error_or_a_usable_trace(fuzz_seeds, tmp_path, data):
    header, body = data.draw(st.sampled_from(fuzz_seeds))
    raw = bytearray(MAGIC + struct.pack("<I", len(json.dumps(header))) + json.dumps(header).encode() + body)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    (tmp_path / "fuzz.nntrace").write_bytes(bytes(raw[:cut]))
    try:
        usable(load_trace(tmp_path / "fuzz.nntrace"))
    except TraceError as e:
        assert "\n" not in str(e)


# ----- scale (issue 14): steps packed in chunks as the run goes, a file read only where it is asked
def test_a_long_run_is_stored_in_chunks_and_read_lazily(tmp_path):
    from nnanim.engine.packing import CHUNK_STEPS
    from nnanim.runs import workshop_run

    steps = 2 * CHUNK_STEPS + 5
    recorded = workshop_run(steps=steps)
    path = tmp_path / "long.nntrace"
    recorded.save(path)
    header, _ = header_and_body(path)
    assert header["version"] == 2 and [len(c["shape"]) and c["shape"][0] for c in header["graphs"][0]["data"]] \
        == [CHUNK_STEPS, CHUNK_STEPS, 5], "three chunks of steps"
    loaded = load_trace(path)
    np.testing.assert_array_equal(loaded.losses, recorded.losses)
    assert loaded.parameter_count() == 50 and loaded.first_bad_step() is None
    assert loaded.store._columns == [None], "the losses, the parameters and the bad step come from the header"
    for k in (0, CHUNK_STEPS, steps - 1):
        a, b = loaded.step(k), recorded.step(k)
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_array_equal(a.grad, b.grad)
        assert [u.new for u in a.updates] == [u.new for u in b.updates]
    assert loaded.parameters == recorded.parameters


def test_a_file_changed_after_it_was_read_is_refused(tmp_path):
    from nnanim.runs import workshop_run

    path = tmp_path / "run.nntrace"
    workshop_run(steps=3).save(path)
    loaded = load_trace(path)
    workshop_run(steps=4).save(path)
    with pytest.raises(TraceError, match="changed since it was read"):
        loaded.step(0)


def test_a_crafted_summary_or_event_count_is_refused(tmp_path):
    from nnanim.runs import workshop_run

    path = tmp_path / "run.nntrace"
    workshop_run(steps=3).save(path)
    header, body = header_and_body(path)
    for change, message in ((("summary", "first_bad_step", 2**31 - 1), "summary.first_bad_step"),
                            (("summary", "parameters", 10**6), "summary.parameters")):
        crafted = json.loads(json.dumps(header))
        crafted[change[0]][change[1]] = change[2]
        rewrite(path, crafted, body)
        with pytest.raises(TraceError, match=message):
            load_trace(path)


def test_inspect_says_one_line_when_a_table_read_later_is_corrupt(tmp_path):
    from click.testing import CliRunner

    from nnanim.cli import main
    from nnanim.runs import workshop_run

    path = tmp_path / "run.nntrace"
    workshop_run(steps=3).save(path)
    header, body = header_and_body(path)
    del header["losses"], header["summary"]  # as a version-1 file: inspect reads the tables
    ref = header["graphs"][0]["data"]
    body = body[:ref["offset"]] + b"\0" * ref["length"] + body[ref["offset"] + ref["length"]:]
    rewrite(path, header, body)
    result = CliRunner().invoke(main, ["inspect", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == f"Error: {path}: corrupt trace: graphs[0].data is not zlib data"


def test_steps_packed_while_the_run_goes_equal_steps_held(tmp_path, monkeypatch):
    import nnanim.engine.recorder as recorder
    from nnanim.runs import workshop_run

    held = workshop_run(steps=70)
    monkeypatch.setattr(recorder, "BUFFER_BYTES", 1)  # pack as soon as a chunk of steps is there
    packed = workshop_run(steps=70)
    assert len(packed.store._packed[0]["data"]) == 2 and packed.store._tails[0]["data"].shape[0] == 6, "64 steps packed"
    for trace in (packed, held):
        trace.save(tmp_path / "t.nntrace")
        loaded = load_trace(tmp_path / "t.nntrace")
        np.testing.assert_array_equal(loaded.step(40).grad, held.step(40).grad)
        np.testing.assert_array_equal(packed.step(69).data, held.step(69).data)
        assert loaded.parameters == held.parameters and list(loaded.losses) == list(held.losses)
