# payjoin-mailroom, the rust-payjoin project's BIP 77 directory + OHTTP relay, as published on
# crates.io (ci/build-payjoin-programs.sh builds the static binary on the host; the context holds
# only that binary and an empty /data owned by nobody, so a fresh named volume mounted there is
# writable by the unprivileged user). No shell and no curl: the harness polls /health itself.
FROM scratch
COPY payjoin-mailroom /payjoin-mailroom
COPY --chown=65534:65534 data /data
USER 65534:65534
ENV PJ_LISTENER=0.0.0.0:8080 PJ_STORAGE_DIR=/data
EXPOSE 8080
ENTRYPOINT ["/payjoin-mailroom", "--config", "/nonexistent/config.toml"]
