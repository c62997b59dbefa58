#!/usr/bin/env python3
"""Cuts FLV tag bodies (RTMP message payloads) out of FLV files written by ffmpeg 8.1.
usage: capture.py FLV OUTDIR NAME=FIRSTBYTES[:MAXLEN] ...
FIRSTBYTES is the hex of the body's first bytes; the first tag that starts with them is written
to OUTDIR/NAME.bin, cut to MAXLEN bytes when given (the relay reads only a tag's first bytes)."""
import os, struct, sys
def tags(path):
    d = open(path, 'rb').read()
    off = struct.unpack('>I', d[5:9])[0] + 4
    while off + 11 <= len(d):
        size = int.from_bytes(d[off + 1:off + 4], 'big')
        yield d[off] & 0x1f, d[off + 11:off + 11 + size]
        off += 11 + size + 4
path, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for spec in sys.argv[3:]:
    name, _, rest = spec.partition('=')
    prefix, _, maxlen = rest.partition(':')
    prefix = bytes.fromhex(prefix)
    body = next(b for t, b in tags(path) if t in (8, 9) and b.startswith(prefix))
    open(os.path.join(out, name + '.bin'), 'wb').write(body[:int(maxlen)] if maxlen else body)
    print(name, len(body), '->', min(len(body), int(maxlen)) if maxlen else len(body))
