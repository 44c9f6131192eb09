# Headless Plumise Petals node (`plumise-petals serve`) for operators: see docker-compose.yml.
#   cp resources/.env.example .env    # then set PLUMISE_PRIVATE_KEY (and chmod 600 .env)
#   docker compose up -d
# Built from the same requirements.lock as the desktop app and `make setup`, minus the desktop-only and
# test-only packages (Qt, PyInstaller, pytest). torch is the lock's CPU build (torch==…+cpu), taken from the
# PyTorch CPU index: the local wheel folder the Makefile relies on does not exist inside Docker.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
# Desktop/test/packaging-only pins are dropped; every remaining line is installed exactly as locked.
RUN grep -v -i -E '^(PySide6_Essentials|PySide6-Essentials|shiboken6|pyinstaller|pyinstaller-hooks-contrib|altgraph|pytest|pytest-qt|pytest-timeout|iniconfig|pluggy)==' \
        requirements.lock > /tmp/requirements.docker.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --index-url https://download.pytorch.org/whl/cpu \
        --extra-index-url https://pypi.org/simple -r /tmp/requirements.docker.txt \
 && /opt/venv/bin/pip install --no-deps petals==2.2.0.post1
COPY core ./core
COPY chain ./chain
COPY devnet ./devnet
COPY resources ./resources
# app/ is part of the distribution's package list but never imported by the node; an empty package keeps
# the install honest without shipping Qt code.
RUN mkdir -p app && touch app/__init__.py \
 && /opt/venv/bin/pip install --no-deps --no-build-isolation . \
 && /opt/venv/bin/python -c "import core.petals_compat as c; c.import_petals(); import hivemind, os; \
p = os.path.join(os.path.dirname(hivemind.__file__), 'hivemind_cli', 'p2pd'); assert os.access(p, os.X_OK), p"

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="Plumise Petals node" \
      org.opencontainers.image.description="Serve Petals transformer blocks and earn PLM on the Plumise chain" \
      org.opencontainers.image.licenses="MIT"
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin plumise \
 && mkdir -p /data && chown plumise:plumise /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TOKENIZERS_PARALLELISM=false \
    HF_HOME=/data/huggingface \
    PLUMISE_SETTINGS_FILE=/data/settings.json \
    PLUMISE_MODEL_CACHE_DIR=/data/models \
    XDG_STATE_HOME=/data/state \
    XDG_DATA_HOME=/data/share \
    XDG_CONFIG_HOME=/data/config \
    PETALS_HOST=0.0.0.0 \
    PETALS_PORT=31330 \
    PLUMISE_STATUS_PORT=31331
USER plumise
WORKDIR /data
VOLUME ["/data"]
# libp2p (Petals) port: other peers dial it. The status API stays on 127.0.0.1 inside the container.
EXPOSE 31330/tcp
HEALTHCHECK --interval=60s --timeout=10s --start-period=600s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PLUMISE_STATUS_PORT', '31331'), timeout=5)"
ENTRYPOINT ["plumise-petals"]
CMD ["serve"]
