# A deliberately small adapter in busybox sh, for testing the harness's Docker runner: it answers
# `ping`, misbehaves on request, and reports what its sandbox allows.
while IFS= read -r line; do
  id=$(echo "$line" | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
  op=$(echo "$line" | sed -n 's/.*"op": *"\([^"]*\)".*/\1/p')
  case "$op" in
    ping) echo "{\"id\":$id,\"result\":{\"op\":\"ping\"}}" ;;
    crash) exit 3 ;;
    hang) sleep 60 ;;
    garbage) echo "this is not json" ;;
    probe.network)
      ifaces=$(sed -n 's/^ *\([a-z0-9]*\):.*/\1/p' /proc/net/dev | tr '\n' ' ')
      echo "{\"id\":$id,\"result\":{\"interfaces\":\"$ifaces\"}}" ;;
    probe.write)
      if touch /probe 2>/dev/null; then w=true; else w=false; fi
      echo "{\"id\":$id,\"result\":{\"writable\":$w}}" ;;
    probe.caps)
      caps=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
      echo "{\"id\":$id,\"result\":{\"cap_eff\":\"$caps\"}}" ;;
    shutdown) echo "{\"id\":$id,\"result\":{}}"; exit 0 ;;
    *) echo "{\"id\":$id,\"unimplemented\":true,\"message\":\"no $op\"}" ;;
  esac
done
