"""Exports in UTF-16 or a single-byte codec (cp1258) turned into UTF-8 in chunks, for the CSV
reader: never decoded whole in Python, so memory follows the chunk, not the file.

Text decoded with a stated single-byte codec is NFC-normalised, as ``parsing.decode`` does for
the whole text. Normalisation is done a block of whole lines at a time: a line break is a
starter that composes with nothing, so normalising line blocks equals normalising the whole.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def is_valid_utf8(path: Path, chunk: int | None = None) -> bool:
    """Whether every byte of ``path`` is UTF-8, checked a chunk at a time (ASCII chunks, most
    of an export, cost a scan and no decoding)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = chunk or CHUNK
    try:
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                # ASCII needs no decoding, unless a character cut by the chunk is pending.
                if not block.isascii() or decoder.getstate()[0]:
                    decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def transcode(
    path: Path, codec: str, target: BinaryIO, normalize: bool, chunk: int | None = None
) -> None:
    """Write ``path``, decoded with ``codec`` (a byte-order mark dropped), to ``target`` as
    UTF-8. Raises ``UnicodeDecodeError`` on a byte the codec does not know: the caller reads
    the file whole then, to say where."""
    decoder = codecs.getincrementaldecoder(codec)()
    chunk = chunk or CHUNK
    pending = ""  # the last, unfinished line of the text decoded so far (normalising)
    with path.open("rb") as handle:
        while True:
            block = handle.read(chunk)
            text = decoder.decode(block, final=not block)
            if normalize:
                text = pending + text
                cut = text.rfind("\n") + 1 if block else len(text)
                text, pending = unicodedata.normalize("NFC", text[:cut]), text[cut:]
            target.write(text.encode("utf-8"))
            if not block:
                return
