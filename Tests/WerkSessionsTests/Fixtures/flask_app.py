"""A small Flask app for the Werk sessions live interop tests (FlaskLiveTests.swift).

Usage: python3 -u flask_app.py SECRET_KEY [FALLBACK_KEY ...]

Binds 127.0.0.1 on a free port and prints "PORT <n>" on stdout once it accepts connections. With
WERK_PIN_TIMESTAMP set, itsdangerous' clock is pinned to that Unix time (as make_vectors.py does), so
cookies written here and by Werk at the same pinned time can be compared byte for byte.

Endpoints (JSON bodies are Flask's tagged JSON, so tuples, bytes, ... travel intact):
  GET  /read              -> the session as tagged JSON, plus "permanent"
  POST /write[?permanent=1] body: tagged JSON object; replaces the session with it
  GET  /increment          -> session["n"] += 1 (keeps every other key)
  GET  /werk-read          -> decodes the "session" cookie in Werk's own format (README, "Sessions")
"""
import hashlib
import os
import sys

import itsdangerous.timed
from flask import Flask, Response, request, session
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server

if os.environ.get("WERK_PIN_TIMESTAMP"):
    pinned = int(os.environ["WERK_PIN_TIMESTAMP"])
    itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: pinned

keys = sys.argv[1:] or ["live-secret"]
app = Flask("werk_live")
app.secret_key = keys[0]
app.config["SECRET_KEY_FALLBACKS"] = keys[1:]
tagged = TaggedJSONSerializer()


def tagged_json(value):
    return Response(tagged.dumps(value), mimetype="application/json")


@app.get("/read")
def read():
    return tagged_json({"session": dict(session), "permanent": session.permanent})


@app.post("/write")
def write():
    session.clear()
    session.update(tagged.loads(request.get_data(as_text=True)))
    session.permanent = request.args.get("permanent") == "1"
    return tagged_json(dict(session))


@app.get("/increment")
def increment():
    session["n"] = session.get("n", 0) + 1
    return tagged_json(dict(session))


@app.get("/werk-read")
def werk_read():
    # Werk's default format, exactly as the README's Sessions section defines it.
    werk = URLSafeTimedSerializer(
        keys[0], salt="werk.session", serializer=tagged,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256})
    return tagged_json(werk.loads(request.cookies["session"], max_age=31 * 24 * 3600))


server = make_server("127.0.0.1", 0, app)
print(f"PORT {server.server_port}", flush=True)
server.serve_forever()
