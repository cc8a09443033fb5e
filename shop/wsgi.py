"""The WSGI application for gunicorn (or any WSGI server): `gunicorn -c python:shop.gunicorn_conf shop.wsgi:app`."""

from shop import create_app

app = create_app()
