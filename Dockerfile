# The checker as a service: the seeds index built in, `checker serve` on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 \
    CHECKER_INDEX=/data/index CHECKER_HOST=0.0.0.0 CHECKER_PORT=8000
WORKDIR /app

# CPU-only torch first, from PyTorch's CPU wheel index, so nothing pulls a CUDA build.
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && grep -v '^torch==' requirements.lock > /tmp/constraints.txt

COPY checker ./checker
COPY seeds ./seeds
RUN pip install --no-cache-dir -c /tmp/constraints.txt . \
 && checker ingest seeds/ --index "$CHECKER_INDEX"

EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["checker", "serve"]
