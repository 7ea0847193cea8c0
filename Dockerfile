# syntax=docker/dockerfile:1
# Build stage: the Swift toolchain and libpq headers.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer, so source changes do not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
COPY migrations ./migrations
RUN swift build -c release --product consult --static-swift-stdlib \
    && swift build -c release --product consult-server --static-swift-stdlib \
    && install -m 0755 "$(swift build -c release --show-bin-path)/consult" /usr/local/bin/consult \
    && install -m 0755 "$(swift build -c release --show-bin-path)/consult-server" /usr/local/bin/consult-server

# Runtime stage: Debian with libpq and nothing of the toolchain.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/consult consult
COPY --from=build /usr/local/bin/consult /usr/local/bin/consult
# `consult serve` runs consult-server from beside consult; in a container it must listen on all
# interfaces: docker run -p 8080:8080 IMAGE serve --host 0.0.0.0
COPY --from=build /usr/local/bin/consult-server /usr/local/bin/consult-server
EXPOSE 8080
USER consult
# Connection through the environment: CONSULT_DATABASE_URL (or DATABASE_URL, or PGHOST/PGDATABASE
# and the other PG* variables; a password belongs in PGPASSWORD or a mounted PGPASSFILE, not in
# the command line). The image has no PostgreSQL server, so the embedded cluster is not available.
ENTRYPOINT ["consult"]
CMD ["--help"]
