# payjoin-cli, the rust-payjoin project's bitcoind-backed payjoin sender/receiver, as published on
# crates.io (ci/build-payjoin-programs.sh builds the static binary on the host). It reads
# ./config.toml and keeps its session database under the working directory /data, which the
# harness mounts writable (a tmpfs or a volume) over a read-only root.
FROM scratch
COPY payjoin-cli /payjoin-cli
COPY --chown=65534:65534 data /data
USER 65534:65534
WORKDIR /data
ENTRYPOINT ["/payjoin-cli"]
