FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango for WeasyPrint's PDF reports (their fonts are vendored in static/reports/fonts).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY atrocity_watch ./atrocity_watch
COPY indicators ./indicators
COPY alerts ./alerts
COPY reports ./reports
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only-build-key-not-used-at-run-time-0123456789abcdef \
    python manage.py collectstatic --noinput
RUN useradd --create-home atrocity && chown -R atrocity /app
USER atrocity
EXPOSE 8000
