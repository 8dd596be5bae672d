# Unroll: the same steps as `make run` (migrate, load content, serve with gunicorn), as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FLASK_APP=app \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1

WORKDIR /srv/unroll
RUN useradd --create-home --uid 10001 unroll

COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --config-settings editable_mode=compat -e .
COPY migrations ./migrations
COPY content ./content
RUN mkdir -p instance && chown unroll:unroll instance

USER unroll
EXPOSE 8000
VOLUME ["/srv/unroll/instance"]
CMD ["sh", "-c", "flask db upgrade && flask content sync && exec gunicorn --workers ${WORKERS:-2} --bind 0.0.0.0:8000 --access-logfile - 'app:create_app()'"]
