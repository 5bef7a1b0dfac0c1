"""MS-OVBA compression (2.4.1): the run-length scheme every stream of a VBA project is stored in."""

from __future__ import annotations


def compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 CompressedContainer for `data`.

    ms-ovba-compression 1.0.1 is not used: its copy tokens overflow once a match is longer than the
    length field allows (corrupting any real module), and its decompressor rejects Excel's own streams.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) <= 4096:
            out += (0xB000 | (len(body) - 1)).to_bytes(2, "little") + body
        elif len(chunk) == 4096:
            out += (0x3FFF).to_bytes(2, "little") + chunk  # raw chunk: always exactly 4096 bytes
        else:
            raise ValueError("incompressible final chunk; a raw chunk would pad it to 4096 bytes")
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Inverse of compress(); also reads the streams Excel writes."""
    if not container or container[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(container):
        header = int.from_bytes(container[pos : pos + 2], "little")
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        end = pos + (header & 0x0FFF) + 3
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += container[pos : pos + 4096]
            pos += 4096
            continue
        while pos < min(end, len(container)):
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not (flags >> bit) & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                done = len(out) - chunk_start
                bit_count = max((done - 1).bit_length(), 4)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                if offset > done:
                    raise ValueError(f"copy token reaches before its chunk at byte {pos - 2}")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in this chunk
    size = len(chunk)
    pos = 0

    def remember(upto: int) -> None:
        for p in range(pos, upto):
            if p + 3 <= size:
                seen.setdefault(chunk[p : p + 3], []).append(p)

    while pos < size:
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= size:
                break
            # CopyToken geometry depends on how much of the chunk is already decompressed (2.4.1.3.19.1).
            bit_count = max((pos - 1).bit_length(), 4)
            limit = min((0xFFFF >> bit_count) + 3, size - pos)
            best_len, best_at = 0, 0
            for candidate in reversed(seen.get(chunk[pos : pos + 3], [])[-256:]):
                length = 0
                while length < limit and chunk[candidate + length] == chunk[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_at = length, candidate
                    if length == limit:
                        break
            if best_len >= 3:
                token = ((pos - best_at - 1) << (16 - bit_count)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                remember(pos + best_len)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos + 1)
                pos += 1
    return bytes(out)
