"""tests/lib/attr.py, the tests' one copy of the wire formats: golden bytes
(lib/util/attr.h, lib/global/record.h) and round trips."""
import io
import socket

import pytest

from lib.attr import (AttrReader, Data, attr_decode, attr_encode, data_value, read_record,
                      record, records)


def test_attr_golden_bytes():
    assert attr_encode([("request", "rewrite"), ("flags", 8)], address=Data(b"\0\1")) == \
        b"request\0rewrite\0flags\x008\0address\0AAE=\0\0"
    assert attr_encode() == b"\0"
    assert attr_encode({"a": b"raw"}) == b"a\0raw\0\0"


def test_attr_reader_socket_and_file():
    two = attr_encode(a=1) + attr_encode(b="x y")
    s, t = socket.socketpair()
    with s, t:
        s.sendall(two)
        s.close()
        r = AttrReader(t)
        assert r.read() == {"a": "1"}
        assert r.read_list() == {"b": "x y"}
        assert r.read() is None
        with pytest.raises(EOFError):
            r.read_list()
    # A file reader leaves what follows the list alone.
    f = io.BytesIO(attr_encode(c=Data(b"\xff")) + record("N", "line"))
    got = AttrReader(f).read()
    assert data_value(got["c"]) == b"\xff"
    assert read_record(f) == ("N", b"line")
    assert read_record(f) == (None, None)
    with pytest.raises(EOFError):
        AttrReader(io.BytesIO(b"a\0partial")).read()


def test_attr_decode():
    assert attr_decode(b"k\0v\0\0rest") == ({"k": "v"}, b"rest")
    with pytest.raises(ValueError):
        attr_decode(b"k\0v\0")


def test_record_golden_bytes_and_round_trip():
    assert record("E") == b"E\0"
    assert record("N", "x" * 127)[:2] == b"N\x7f"
    assert record("N", "x" * 128)[:3] == b"N\x80\x01"
    assert record("N", "x" * 200)[:3] == b"N\xc8\x01"
    data = record("S", "s@x") + record("N", b"y" * 20000) + record("E")
    assert records(data) == [("S", b"s@x"), ("N", b"y" * 20000), ("E", b"")]
    with pytest.raises(ValueError):
        records(data[:-1] + b"\x05")
