"""A WSGI app answering with the pid of the gunicorn worker that served the request (for test_gunicorn_worker)."""

import os


def app(environ, start_response):
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
