# One image for web, worker and beat (see docker-compose.yml).
# The Python version is the one CI tests with and requirements.txt was
# locked for; tests/test_project.py keeps the three in step.
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /app

# Exactly what the production smoke test installs: every package pinned
# with its hashes, nothing else.
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt

COPY . .

# Static files are collected and the translations compiled (.mo files are
# not in the repository) at build time; DEBUG=1 only lets settings load
# without a SECRET_KEY here, it is not the runtime setting.
RUN DEBUG=1 python manage.py collectstatic --noinput --verbosity 0 \
    && DEBUG=1 python manage.py compile_translations --all --verbosity 0 \
    && useradd --system --uid 10001 --home-dir /app salon \
    && mkdir -p /app/var \
    && chown -R salon /app/var

USER salon
EXPOSE 8000

CMD ["gunicorn", "--config", "python:config.gunicorn"]
