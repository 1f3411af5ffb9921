# The emulator as a sidecar for contract tests: docs/docker.md.
#   docker build -t identity-emulator:0.1.0 .
#   docker run --rm -p 8080:8080 identity-emulator:0.1.0
# Configuration is by EMULATOR_* environment variables; scenarios are mounted at
# /scenarios and named in EMULATOR_SCENARIOS, beside built-in names (default otherwise).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE identity_emulator_pytest.py ./
COPY emulator/ emulator/
# The wheel (built-in scenarios included as package data), and the serving
# requirements from pyproject.toml (the pytest plugin's are an extra, not installed).
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /wheels/requirements.txt

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir -r /wheels/requirements.txt \
    && pip install --no-cache-dir --no-deps /wheels/*.whl \
    && rm -rf /wheels \
    && groupadd --system --gid 10001 emulator \
    && useradd --system --uid 10001 --gid emulator --no-create-home --shell /usr/sbin/nologin emulator \
    && mkdir /scenarios
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8080 \
    EMULATOR_SCENARIOS=default \
    EMULATOR_ADDRESS_FILE=/tmp/emulator-address.json \
    EMULATOR_CACHE_DIR=/tmp/emulator-cache \
    EMULATOR_ACCESS_LOG=1 \
    EMULATOR_LOG_FORMAT=text
WORKDIR /scenarios
USER 10001:10001
EXPOSE 8080
# Follows the port and address the server really listens on (it writes them to
# EMULATOR_ADDRESS_FILE), however they were set: environment or command line.
HEALTHCHECK --interval=5s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-m", "emulator", "healthcheck"]
ENTRYPOINT ["python", "-m", "emulator"]
CMD ["serve"]
