#!/usr/bin/env python3
"""Recreates the browser captures Werkzeug keeps in tests/multipart/ (Firefox 3, Opera 8, WebKit,
IE6, IE7). The originals are binary and could not be fetched, so these are rebuilt from what those
browsers are documented to send: the same boundaries, field names, file names, content types and
text values as Werkzeug's test table, each browser's header layout (IE: full client paths and
image/x-png), and small deterministic PNG-like files whose bytes include CR, LF and '--' runs.
Run it from this folder; it rewrites the files next to it."""
import os, random, struct, zlib

def png(seed, size):
    rng = random.Random(seed)
    payload = bytes(rng.randrange(256) for _ in range(size))
    payload += b"\r\n--\r\n\r\n--" + payload[:64]           # boundary lookalikes inside the data
    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 6, 0, 0, 0)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", payload) + chunk(b"IEND", b"")

def capture(folder, boundary, files, text, text_name="text"):
    os.makedirs(folder, exist_ok=True)
    body = b""
    for field, filename, ctype, fsname, seed in files:
        data = png(seed, 700 + 97 * seed)
        with open(os.path.join(folder, fsname), "wb") as f:
            f.write(data)
        body += b"--" + boundary.encode() + b"\r\n"
        body += b'Content-Disposition: form-data; name="%s"; filename="%s"\r\n' % (field.encode(), filename.encode("latin-1"))
        body += b"Content-Type: %s\r\n\r\n" % ctype.encode() + data + b"\r\n"
    if text is not None:
        body += b"--" + boundary.encode() + b"\r\n"
        body += b'Content-Disposition: form-data; name="%s"\r\n\r\n' % text_name.encode() + text.encode() + b"\r\n"
        with open(os.path.join(folder, "text.txt"), "wb") as f:
            f.write(text.encode())
    body += b"--" + boundary.encode() + b"--\r\n"
    with open(os.path.join(folder, "request.http"), "wb") as f:
        f.write(body)

capture("firefox3-2png1txt", "---------------------------186454651713519341951581030105",
        [("file1", "anchor.png", "image/png", "file1.png", 1), ("file2", "application_edit.png", "image/png", "file2.png", 2)],
        "example text")
capture("firefox3-2pnglongtext", "---------------------------14904044739787191031754711748",
        [("file1", "accept.png", "image/png", "file1.png", 3), ("file2", "add.png", "image/png", "file2.png", 4)],
        "--long text\r\n--with boundary\r\n--lookalikes--")
capture("opera8-2png1txt", "----------zEO9jQKmLc2Cq88c23Dx19",
        [("file1", "arrow_branch.png", "image/png", "file1.png", 5), ("file2", "award_star_bronze_1.png", "image/png", "file2.png", 6)],
        "blafasel öäü")
capture("webkit3-2png1txt", "----WebKitFormBoundaryjdSFhcARk8fyGNy6",
        [("file1", "gtk-apply.png", "image/png", "file1.png", 7), ("file2", "gtk-no.png", "image/png", "file2.png", 8)],
        "this is another text with ümläüts")
capture("ie6-2png1txt", "---------------------------7d91b03a20128",
        [("file1", "C:\\Python25\\wzzzz\\test-data\\upload\\file1.png", "image/x-png", "file1.png", 9),
         ("file2", "C:\\Python25\\wzzzz\\test-data\\upload\\file2.png", "image/x-png", "file2.png", 10)],
        "ie6 sucks :-/")
capture("ie7_full_path_request", "---------------------------7da36d1b4a0164",
        [("cb_file_upload_multiple",
          "\\\\192.168.1.5\\shared\\council\\Sellersburg Town Council Meeting 02-22-2010doc.doc",
          "application/msword", "file1.doc", 11)],
        None)
