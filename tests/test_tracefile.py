import json
import struct
import zlib

import numpy as np
import pytest

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

    monkeypatch.setattr(tf, "_xor_shuffle", explode)
    with pytest.raises(RuntimeError):
        small_trace.save(path)
    assert path.read_bytes() == b"old contents"
    assert list(tmp_path.iterdir()) == [path]
