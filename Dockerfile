# Unroll: the same steps as `make run` (migrate, load content, serve with gunicorn), as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FLASK_APP=app \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /srv/unroll
RUN useradd --create-home --uid 10001 unroll

COPY pyproject.toml README.md gunicorn.conf.py ./
COPY app ./app
RUN pip install --config-settings editable_mode=compat -e .
COPY migrations ./migrations
COPY content ./content
RUN mkdir -p instance && chown unroll:unroll instance

USER unroll
EXPOSE 8000
VOLUME ["/srv/unroll/instance"]
# gunicorn.conf.py: gthread workers; WORKERS and THREADS (2 and 8 by default) may be set at run time.
CMD ["sh", "-c", "flask db upgrade && flask content sync && exec gunicorn --config gunicorn.conf.py"]
