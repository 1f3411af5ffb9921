# The emulator as a sidecar for contract tests: docs/docker.md.
#   docker build -t identity-emulator:0.1.0 .
#   docker run --rm -p 8080:8080 identity-emulator:0.1.0
# Configuration is by EMULATOR_* environment variables; scenarios are mounted at
# /scenarios and named in EMULATOR_SCENARIOS (the bundled default.yaml otherwise).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator/ emulator/
# The wheel, and the runtime requirements from pyproject.toml minus the pytest
# plugin's own (pytest-aiohttp pulls in pytest, which a server does not need).
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(d for d in deps if not d.startswith('pytest')))" > /wheels/requirements.txt

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
