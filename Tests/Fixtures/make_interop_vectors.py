#!/usr/bin/env python3
"""Writes Tests/Fixtures/interop-vectors.json: what the real itsdangerous, Werkzeug and Flask produce.

The Swift tests compare Werk against these facts byte for byte (signed tokens, Flask session cookies,
password hashes, cookie parsing and dumping, HTTP dates, Range headers, routing). They are data, so
they live in the repository; this script is how they are made again.

    pip install flask==3.1.3 werkzeug==3.1.8 itsdangerous==2.2.0
    python3 Tests/Fixtures/make_interop_vectors.py            # rewrite the file
    python3 Tests/Fixtures/make_interop_vectors.py --check    # exit 1 if the file is out of date

Time is pinned (itsdangerous' timestamp), salts are fixed, and the versions are checked, so the
output is the same on every run.
"""
import json
import os
import sys
from importlib.metadata import version

PINNED = {"werkzeug": "3.1.8", "flask": "3.1.3", "itsdangerous": "2.2.0"}
FIXED_TIMESTAMP = 1_700_000_000  # 2023-11-14T22:13:20Z
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop-vectors.json")


def check_versions():
    wrong = {name: version(name) for name in PINNED if version(name) != PINNED[name]}
    if wrong:
        sys.exit(f"make_interop_vectors: need {PINNED}, found {wrong}; "
                 "pip install flask==3.1.3 werkzeug==3.1.8 itsdangerous==2.2.0")


def session_cookie(secret, fallbacks, data):
    """The Set-Cookie header a Flask app with `secret` sends after putting `data` in the session."""
    from flask import Flask, session
    app = Flask("interop")
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks

    @app.route("/")
    def store():
        session.update(data)
        return ""

    return app.test_client().get("/").headers["Set-Cookie"]


def cookie_value(set_cookie):
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def flask_sessions():
    cases = [
        ("dev-secret-key-for-docs", [], {"user_id": 42, "name": "alice"}),
        ("dev-secret-key-for-docs", [], {"user_id": 42, "cart": ["apple"] * 20}),  # long: zlib-compressed
        ("new-key", ["old-key"], {"n": 1}),
        ("k", [], {"unicode": "grüße ✓", "nested": {"a": [1, 2.5, True, None]}}),
    ]
    entries = []
    for secret, fallbacks, data in cases:
        header = session_cookie(secret, fallbacks, data)
        cookie = cookie_value(header)
        entries.append({"secret_key": secret, "fallback_keys": fallbacks, "session": data, "cookie": cookie,
                        "set_cookie": header, "compressed": cookie.startswith("."),
                        "max_age_seconds": 31 * 24 * 3600})
    # Signed with a key that is now only a fallback: must still verify.
    old = cookie_value(session_cookie("old-key", [], {"n": 1}))
    entries.append({"secret_key": "new-key", "fallback_keys": ["old-key"], "session": {"n": 1},
                    "cookie": old, "signed_with": "old-key"})
    return entries


def signers():
    from itsdangerous import Signer, TimestampSigner, URLSafeTimedSerializer
    value = {"a": 1, "b": [1, 2]}
    return [
        {"kind": "Signer", "secret_key": "secret-key", "value": "hello",
         "token": Signer("secret-key").sign("hello").decode()},
        {"kind": "TimestampSigner", "secret_key": "secret-key", "value": "hello",
         "token": TimestampSigner("secret-key").sign("hello").decode()},
        {"kind": "URLSafeTimedSerializer", "secret_key": "secret-key", "salt": "itsdangerous",
         "value": value, "token": URLSafeTimedSerializer("secret-key").dumps(value)},
    ]


def password_hashes():
    from werkzeug.security import _hash_internal, check_password_hash
    salt, password = "abcdefghijklmnop", "correct horse"
    entries = []
    for method in ["pbkdf2:sha256:1000", "pbkdf2:sha256:600000", "pbkdf2:sha256", "pbkdf2:sha512:1000",
                   "scrypt:1024:8:1", "scrypt"]:
        digest, expanded = _hash_internal(method, salt, password)
        full = f"{expanded}${salt}${digest}"
        assert check_password_hash(full, password), method
        entries.append({"method": method, "password": password, "hash": full})
    return entries


def cookies():
    from werkzeug.http import dump_cookie, parse_cookie
    parsed = ["a=1; b=2", 'a="quoted \\"x\\""; b=2', "=__Host-x=bad; ok=1", "a=1; a=2", "sp ace=1; x=%41",
              "empty=; c=3"]
    dumped = [("session", "abc", {}),
              ("s", "v w", {"httponly": True, "samesite": "Lax", "secure": True, "path": "/app"}),
              ("p", "1", {"partitioned": True, "secure": True})]
    return ([{"parse": h, "result": list(parse_cookie(h).items(multi=True))} for h in parsed]
            + [{"dump": [n, v, kw], "result": dump_cookie(n, v, **kw)} for n, v, kw in dumped])


def ranges():
    from werkzeug.http import parse_range_header
    headers = ["bytes=0-99", "bytes=-500", "bytes=9500-", "bytes=0-0,-1", "bytes=5-2", "bytes=x"]
    return [{"header": h, "ranges": r.ranges if (r := parse_range_header(h)) else None} for h in headers]


def routing():
    from werkzeug.routing import Map, Rule
    rules = Map([Rule("/", endpoint="index"), Rule("/branch/", endpoint="branch"), Rule("/leaf", endpoint="leaf"),
                 Rule("/post/<int:id>", endpoint="post", methods=["GET", "POST"]),
                 Rule("/files/<path:p>", endpoint="files"), Rule("/u/<uuid:u>", endpoint="uuid"),
                 Rule("/f/<float:x>", endpoint="float"), Rule("/i/<int(fixed_digits=4):n>", endpoint="fixed")])
    adapter = rules.bind("example.com")
    requests = [("/", "GET"), ("/branch", "GET"), ("/leaf/", "GET"), ("/post/05", "GET"), ("/post/-1", "GET"),
                ("/post/5", "DELETE"), ("/post/5", "HEAD"), ("//post///5", "GET"), ("/files/a/b/c.txt", "GET"),
                ("/u/12345678-1234-1234-1234-123456789abc", "GET"), ("/f/1.5", "GET"), ("/f/1", "GET"),
                ("/i/0042", "GET"), ("/i/42", "GET")]
    matches = []
    for path, method in requests:
        try:
            endpoint, values = adapter.match(path, method)
            answer = {"endpoint": endpoint, "values": {k: str(v) for k, v in values.items()}}
        except Exception as error:  # RequestRedirect, NotFound, MethodNotAllowed
            answer = {"status": getattr(error, "code", None), "exception": type(error).__name__}
            if hasattr(error, "new_url"):
                answer["location"] = error.new_url
            if getattr(error, "valid_methods", None):
                answer["allow"] = sorted(error.valid_methods)
        matches.append({"path": path, "method": method, **answer})
    builds = [("post", {"id": 5, "q": "a b"}), ("fixed", {"n": 42}), ("files", {"p": "a b/c"})]
    return matches, [{"endpoint": e, "values": v, "url": adapter.build(e, v)} for e, v in builds]


def vectors():
    import itsdangerous.timed
    from werkzeug.http import http_date
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: FIXED_TIMESTAMP
    matches, builds = routing()
    return {"timestamp": FIXED_TIMESTAMP, "flask_sessions": flask_sessions(), "itsdangerous": signers(),
            "password_hashes": password_hashes(), "cookies": cookies(), "routing": matches,
            "http_date": {"timestamp": FIXED_TIMESTAMP, "formatted": http_date(FIXED_TIMESTAMP)},
            "ranges": ranges(), "routing_build": builds}


def main():
    check_versions()
    text = json.dumps(vectors(), indent=1, ensure_ascii=False, default=list) + "\n"
    if sys.argv[1:] == ["--check"]:
        with open(OUTPUT, encoding="utf-8") as current:
            if current.read() != text:
                sys.exit(f"{OUTPUT} is out of date: run python3 {sys.argv[0]}")
        print(f"{OUTPUT} is up to date")
    elif sys.argv[1:]:
        sys.exit("usage: make_interop_vectors.py [--check]")
    else:
        with open(OUTPUT, "w", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
