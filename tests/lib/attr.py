"""Postern's internal wire formats, for tests: attribute lists and queue-file
records.  One implementation, so that a change of format is made once.

Attribute lists (lib/util/attr.h, PROTOCOLS.md):

    name NUL value NUL name NUL value NUL ... NUL

  attr_encode(pairs=(), **kw) -> bytes
      One list.  pairs is a sequence of (name, value) or a dict, kw more
      pairs (after pairs, in order).  A value is str, int or bytes (sent as
      is); wrap bytes in Data() to send a DATA attribute (base64).
  attr_decode(data) -> (dict, rest)
      The first complete list in data; ValueError when data holds none.
  AttrReader(source)
      Reads lists from a socket (recv) or a binary file (read), buffered.
      read()       the next list as a dict of str -> str (values decoded as
                   UTF-8 with replacement), or None at end of input before
                   the list starts; EOFError when input ends inside a list.
      read_list()  the same, but end of input is always EOFError.
      Data values come back as their base64 text; data_value() decodes.
  data_value(text) -> bytes

Queue-file records (lib/global/record.h, QUEUE_FORMAT.md): a type byte, the
length as 7-bit groups (least significant first, high bit = more), the data.

  record(rtype, data=b"") -> bytes      rtype is a one-letter str
  records(data) -> [(rtype, bytes)]     every record of a queue file;
                                        ValueError on a truncated record
  read_record(f) -> (rtype, bytes)      one record from a binary file, or
                                        (None, None) at end of file
"""
import base64

__all__ = ["Data", "attr_encode", "attr_decode", "AttrReader", "data_value", "record",
           "records", "read_record"]


class Data(bytes):
    """A DATA attribute value: sent base64-encoded."""


def _value_bytes(value):
    if isinstance(value, Data):
        return base64.b64encode(bytes(value))
    if isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        value = int(value)
    return str(value).encode()


def attr_encode(pairs=(), **kw):
    if isinstance(pairs, dict):
        pairs = list(pairs.items())
    out = bytearray()
    for name, value in list(pairs) + list(kw.items()):
        out += name.encode() + b"\0" + _value_bytes(value) + b"\0"
    out += b"\0"
    return bytes(out)


def data_value(text):
    return base64.b64decode(text, validate=True)


def _decode(b):
    return b.decode("utf-8", "replace")


def attr_decode(data):
    out, pos = {}, 0
    while True:
        j = data.find(b"\0", pos)
        if j < 0:
            raise ValueError("incomplete attribute list")
        if j == pos:
            return out, data[j + 1:]
        k = data.find(b"\0", j + 1)
        if k < 0:
            raise ValueError("incomplete attribute list")
        out[_decode(data[pos:j])] = _decode(data[j + 1:k])
        pos = k + 1


class AttrReader:
    """Lists from a socket (buffered: keep one reader per connection) or a
    binary file (read a byte at a time, so that nothing after the list is
    consumed: records or other data may follow on the same file)."""

    def __init__(self, source):
        self.source = source
        self.buf = b""
        self.is_socket = hasattr(source, "recv")

    def _field(self):
        """Bytes up to the next NUL; None at end of input before any byte."""
        if self.is_socket:
            while b"\0" not in self.buf:
                data = self.source.recv(65536)
                if not data:
                    if self.buf:
                        raise EOFError("end of input inside an attribute list")
                    return None
                self.buf += data
            field, self.buf = self.buf.split(b"\0", 1)
            return field
        field = bytearray()
        while True:
            c = self.source.read(1)
            if not c:
                if field:
                    raise EOFError("end of input inside an attribute list")
                return None
            if c == b"\0":
                return bytes(field)
            field += c

    def read(self):
        out = {}
        while True:
            name = self._field()
            if name is None:
                if out:
                    raise EOFError("end of input inside an attribute list")
                return None
            if name == b"":
                return out
            value = self._field()
            if value is None:
                raise EOFError("end of input inside an attribute list")
            out[_decode(name)] = _decode(value)

    def read_list(self):
        out = self.read()
        if out is None:
            raise EOFError("end of input")
        return out


def record(rtype, data=b""):
    if isinstance(data, str):
        data = data.encode()
    n, length = len(data), bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        length.append(low | 0x80 if n else low)
        if not n:
            break
    return rtype.encode() + bytes(length) + data


def _length(read_byte):
    n, shift = 0, 0
    while True:
        b = read_byte()
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n


def records(data):
    out, i = [], 0
    while i < len(data):
        rtype = chr(data[i])
        i += 1
        pos = [i]

        def byte():
            if pos[0] >= len(data):
                raise ValueError("truncated record length")
            pos[0] += 1
            return data[pos[0] - 1]
        n = _length(byte)
        i = pos[0]
        if i + n > len(data):
            raise ValueError("truncated record data")
        out.append((rtype, data[i:i + n]))
        i += n
    return out


def read_record(f):
    t = f.read(1)
    if not t:
        return None, None

    def byte():
        b = f.read(1)
        if not b:
            raise EOFError("truncated record length")
        return b[0]
    n = _length(byte)
    return chr(t[0]), f.read(n)
