"""Read back what a PDF made by WeasyPrint says, for tests, with the standard library only.

WeasyPrint writes text as glyph ids of embedded font subsets, each font with a ToUnicode map, in
Flate-compressed streams (some objects packed in object streams). `pdf_text` decompresses every stream,
reads the fonts' maps and the pages' text operators (Tf, Tj, TJ) and returns the text, one line per text
object; `pdf_objects` returns every object's dictionary text, to look for the structure tree of a tagged PDF.
This is enough for WeasyPrint's output, not a general PDF reader.
"""

import re
import zlib
from dataclasses import dataclass, field

_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b")
_REF = rb"(\d+)\s+0\s+R"


@dataclass
class _Pdf:
    dicts: dict[int, bytes] = field(default_factory=dict)  # object number -> its text before any stream
    streams: dict[int, bytes] = field(default_factory=dict)  # object number -> its decompressed stream


def _inflate(raw: bytes, start: int) -> bytes:
    data = raw[start:]
    if data.startswith(b"\r\n"):
        data = data[2:]
    elif data[:1] in (b"\n", b"\r"):
        data = data[1:]
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        end = data.find(b"endstream")
        return data[:end]


def _parse(raw: bytes) -> _Pdf:
    pdf = _Pdf()
    for match in _OBJ.finditer(raw):
        number, start = int(match.group(1)), match.end()
        end = raw.find(b"endobj", start)
        stream_at = raw.find(b"stream", start)
        if 0 <= stream_at < end or (stream_at >= 0 and end < 0):
            head = raw[start:stream_at]
            pdf.dicts[number] = head
            body = _inflate(raw, stream_at + len(b"stream")) if b"/FlateDecode" in head else b""
            pdf.streams[number] = body
            if b"/ObjStm" in head:
                _unpack_object_stream(pdf, head, body)
        else:
            pdf.dicts[number] = raw[start:end]
    return pdf


def _unpack_object_stream(pdf: _Pdf, head: bytes, body: bytes) -> None:
    first = int(re.search(rb"/First\s+(\d+)", head).group(1))  # type: ignore[union-attr]
    count = int(re.search(rb"/N\s+(\d+)", head).group(1))  # type: ignore[union-attr]
    numbers = [int(n) for n in body[:first].split()]
    pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))[:count]
    for index, (number, offset) in enumerate(pairs):
        stop = pairs[index + 1][1] if index + 1 < len(pairs) else len(body) - first
        pdf.dicts[number] = body[first + offset : first + stop]


def _cmap(text: bytes) -> tuple[dict[int, str], int]:
    """A ToUnicode map: code -> text, and the code width in bytes."""
    mapping: dict[int, str] = {}
    width = 1
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            width = max(width, len(src) // 2)
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            width = max(width, len(low) // 2)
            base = bytes.fromhex(dst.decode()).decode("utf-16-be")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = base[:-1] + chr(ord(base[-1]) + offset)
    return mapping, width


def _fonts(pdf: _Pdf) -> dict[bytes, tuple[dict[int, str], int]]:
    """Font resource name (b"KTGASA") -> its ToUnicode map."""
    by_object: dict[int, tuple[dict[int, str], int]] = {}
    for number, head in pdf.dicts.items():
        found = re.search(rb"/ToUnicode\s+" + _REF, head)
        if found and int(found.group(1)) in pdf.streams:
            by_object[number] = _cmap(pdf.streams[int(found.group(1))])
    names: dict[bytes, tuple[dict[int, str], int]] = {}
    for head in pdf.dicts.values():  # font resources: a name for a font object, directly or in a Font dict
        for name, ref in re.findall(rb"/([\w.+-]+)\s+" + _REF, head):
            if int(ref) in by_object:
                names[name] = by_object[int(ref)]
    return names


_TOKENS = re.compile(rb"/([\w.+-]+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj|\b(ET)\b", re.S)


def _decode(hexes: bytes, font: tuple[dict[int, str], int] | None) -> str:
    if font is None:
        return ""
    mapping, width = font
    data = bytes.fromhex(hexes.decode())
    return "".join(
        mapping.get(int.from_bytes(data[i : i + width], "big"), "") for i in range(0, len(data), width)
    )


def pdf_text(raw: bytes) -> str:
    """The PDF's text, one line per text object, pages in order of their content streams."""
    pdf = _parse(raw)
    fonts = _fonts(pdf)
    lines: list[str] = []
    for body in pdf.streams.values():
        if b"Tf" not in body or (b"TJ" not in body and b"Tj" not in body):
            continue
        font = None
        line = ""
        for match in _TOKENS.finditer(body):
            name, array, single, end = match.groups()
            if name is not None:
                font = fonts.get(name)
            elif array is not None:
                line += "".join(_decode(h, font) for h in re.findall(rb"<([0-9A-Fa-f]*)>", array))
            elif single is not None:
                line += _decode(single, font)
            elif end and line:
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
    return "\n".join(lines)


def pdf_objects(raw: bytes) -> str:
    """Every object's dictionary, as text (compressed object streams included)."""
    return "\n".join(head.decode("latin-1") for head in _parse(raw).dicts.values())


def pdf_metadata(raw: bytes) -> str:
    """The document's XMP metadata packet (where PDF/A and PDF/UA declare themselves), or ""."""
    pdf = _parse(raw)
    for number, head in pdf.dicts.items():
        if b"/Type /Metadata" in head and number in pdf.streams:
            return pdf.streams[number].decode("utf-8", "replace")
    return ""
