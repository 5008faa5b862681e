# Sourced by the stand-ins: one NDJSON line per call in the simulator's journal, like every other fake.
# EKSA_SIM_JOURNAL reaches here through sshd's SetEnv and sudo's env_keep (see ../sshd.js).
journal() {
  [ -n "${EKSA_SIM_JOURNAL:-}" ] || return 0
  _line="{\"source\":\"$1\",\"argv\":["
  _sep=''
  for _arg in "$@"; do
    _arg=$(printf '%s' "$_arg" | sed 's/\\/\\\\/g; s/"/\\"/g')
    _line="$_line$_sep\"$_arg\""
    _sep=','
  done
  printf '%s],"time":"%s"}\n' "$_line" "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" >> "$EKSA_SIM_JOURNAL"
}
