"""Tables of numbers packed as a trace file stores them: compressed, in chunks of rows (steps).

A recorder packs each chunk of steps as soon as it is complete, so a long run's numbers are held
compressed while it goes on; the writer copies the packed chunks into the file as they are, and a
reader unpacks a table only when it is asked for (docs/trace-format.md, "Blocks").
"""

import zlib
from dataclasses import dataclass

import numpy as np

CHUNK_STEPS = 32  # rows (steps) per packed chunk
TABLES = {"data": "<f8", "grad_before": "<f8", "grad": "<f8", "leaf_uid": "<i8"}  # a graph's steps x nodes tables
CODECS = ("zlib", "xor-shuffle-zlib")


@dataclass(frozen=True)
class Packed:
    """One compressed block: its bytes, what they decode to (dtype string, shape) and how."""

    payload: bytes
    dtype: str
    shape: tuple
    codec: str

    @property
    def decoded_size(self):
        return int(np.prod(self.shape)) * np.dtype(self.dtype).itemsize


def pack(array, codec="zlib"):
    array = np.ascontiguousarray(array)
    raw = xor_shuffle(array) if codec == "xor-shuffle-zlib" else array.tobytes()
    return Packed(zlib.compress(raw, 3), array.dtype.str, tuple(array.shape), codec)  # 3: fast, as small as 6 within 2%


def unpack(packed):
    raw = zlib.decompress(packed.payload)
    return decode(raw, packed.dtype, packed.shape, packed.codec)


def decode(raw, dtype, shape, codec):
    """An array from a block's decompressed bytes."""
    if codec == "xor-shuffle-zlib":
        return xor_unshuffle(raw, shape).view(np.dtype(dtype))
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).copy()


def xor_shuffle(array):
    """Float columns (steps x nodes) as node-major series, each XORed with the step before, bytes split
    into planes: slowly changing numbers become runs of zero bytes that zlib packs well."""
    series = np.ascontiguousarray(array.T).view(np.uint64)
    delta = series.copy()
    delta[:, 1:] ^= series[:, :-1]
    return delta.view(np.uint8).reshape(-1, 8).T.tobytes()


def xor_unshuffle(raw, shape):
    rows, cols = shape
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(8, -1).T
    delta = planes.copy().view(np.uint64).reshape(cols, rows)
    np.bitwise_xor.accumulate(delta, axis=1, out=delta)  # in place: one copy less of the largest blocks
    return np.ascontiguousarray(delta.view(np.uint64).T)


def pack_rows(table, codec):
    """A table as chunks of CHUNK_STEPS rows."""
    return [pack(table[at:at + CHUNK_STEPS], codec) for at in range(0, max(len(table), 1), CHUNK_STEPS)]
